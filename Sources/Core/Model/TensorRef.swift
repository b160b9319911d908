/// A tensor under construction in a `GraphBuilder`: the output port that produces it,
/// with the shape and element type the builder inferred for it.
public struct TensorRef: Sendable, Equatable {
    public let port: PortReference
    /// Static dimensions, -1 where dynamic.
    public let dims: [Int]
    public let elementType: ElementType

    public init(port: PortReference, dims: [Int], elementType: ElementType) {
        self.port = port
        self.dims = dims
        self.elementType = elementType
    }
}
