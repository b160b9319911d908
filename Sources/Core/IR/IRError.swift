/// Everything that can be wrong with an IR, each as one line that says what and where.
public enum IRError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The XML text itself is broken.
    case malformedXML(line: Int, column: Int, reason: String)
    /// The document is XML but not an IR the reader understands.
    case invalidNetwork(String)
    /// One layer is wrong; `layer` names it the way users see it.
    case invalidLayer(layer: String, reason: String)
    /// A Const's `size` bytes at `offset` are not inside the `weightsBytes`-byte weights
    /// (a short or missing `.bin`). Any values: the description adds nothing up.
    case dataOutsideWeights(layer: String, offset: Int, size: Int, weightsBytes: Int)
    /// An edge names a layer or port that does not exist.
    case danglingEdge(Edge, reason: String)
    /// An editing or graph operation was asked to do something impossible.
    case invalidOperation(String)
    /// Layers named by the user (say, to be left in float) that the model does not have.
    case unknownLayers([String])

    public var description: String {
        switch self {
        case let .malformedXML(line, column, reason):
            "malformed IR XML at line \(line), column \(column): \(reason)"
        case let .invalidNetwork(reason):
            "invalid IR: \(reason)"
        case let .invalidLayer(layer, reason):
            "invalid IR layer \(layer): \(reason)"
        case let .dataOutsideWeights(layer, offset, size, weightsBytes):
            "invalid IR layer \(layer): data of \(size) bytes at offset \(offset) lies outside the \(weightsBytes)-byte weights"
        case let .danglingEdge(edge, reason):
            "invalid IR edge \(edge.fromLayer):\(edge.fromPort) -> \(edge.toLayer):\(edge.toPort): \(reason)"
        case let .invalidOperation(reason):
            "IR operation failed: \(reason)"
        case let .unknownLayers(names):
            "the model has no layer named \(names.joined(separator: ", ")) (ignored layers are named as in the IR's .xml)"
        }
    }
}
