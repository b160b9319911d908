/// A connection from one layer's output port to another layer's input port.
public struct Edge: Sendable, Equatable, Hashable {
    public var fromLayer: Int
    public var fromPort: Int
    public var toLayer: Int
    public var toPort: Int

    public init(fromLayer: Int, fromPort: Int, toLayer: Int, toPort: Int) {
        self.fromLayer = fromLayer
        self.fromPort = fromPort
        self.toLayer = toLayer
        self.toPort = toPort
    }

    /// The producing end of the edge.
    public var source: PortReference { PortReference(layer: fromLayer, port: fromPort) }
    /// The consuming end of the edge.
    public var destination: PortReference { PortReference(layer: toLayer, port: toPort) }
}

/// A port of a layer, named by layer id and port id.
public struct PortReference: Sendable, Equatable, Hashable, CustomStringConvertible {
    public var layer: Int
    public var port: Int

    public init(layer: Int, port: Int) {
        self.layer = layer
        self.port = port
    }

    public var description: String { "\(layer):\(port)" }
}
