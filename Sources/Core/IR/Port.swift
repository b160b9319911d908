/// A numbered input or output of a layer. Port ids run across a layer, inputs first.
public struct Port: Sendable, Equatable {
    public var id: Int
    /// Mandatory on output ports in IR v11 readers; optional on inputs.
    public var precision: ElementType?
    /// Static dimensions; -1 marks a dynamic one. `nil` when the IR leaves them out.
    public var dims: [Int]?
    /// Tensor names (the `names` attribute, comma separated in the file).
    public var names: [String]
    /// Attributes calib does not interpret, kept for writing back.
    public var otherAttributes: [XMLElement.Attribute]
    /// Child elements other than `<dim>` (for example `<rt_info>`), kept for writing back.
    public var otherChildren: [XMLElement]

    public init(
        id: Int, precision: ElementType? = nil, dims: [Int]? = nil, names: [String] = [],
        otherAttributes: [XMLElement.Attribute] = [], otherChildren: [XMLElement] = []
    ) {
        self.id = id
        self.precision = precision
        self.dims = dims
        self.names = names
        self.otherAttributes = otherAttributes
        self.otherChildren = otherChildren
    }
}
