/// Why an IR cannot be written as ONNX: the export translates a fixed set of operations and
/// refuses anything else rather than write a model that computes something different.
public enum ONNXExportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// `layer` (as `Layer.label` names it) has an operation, attribute value, input or used
    /// output with no ONNX translation, or an output name another tensor already has.
    case unsupportedLayer(layer: String, reason: String)

    public var description: String {
        switch self {
        case let .unsupportedLayer(layer, reason):
            "cannot write layer \(layer) as ONNX: \(reason)"
        }
    }
}
