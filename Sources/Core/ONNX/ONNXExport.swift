/// Writes an IR as an ONNX model, the format calib's users start from: the example network
/// built without its mean/scale layers (`SSDResNet34.makeGraph(normalizingInput: false)`)
/// comes out shaped like MLPerf's `resnet34-ssd1200.onnx`, which cannot be downloaded here,
/// so the conversion step of the workflow can be run on it.
public enum ONNXExport {
    /// The ONNX IR version written (8, read by ONNX 1.10 and later).
    public static let irVersion = 8
    /// The version of the default operator set the nodes are written for.
    public static let opsetVersion = 17

    /// The bytes of an ONNX `ModelProto` computing `graph`.
    ///
    /// Parameters become graph inputs and Results graph outputs, each named after its
    /// tensor (`image`, `bboxes`, ...) with the port's element type and dims (-1 dims
    /// unknown). Consts read as node inputs become initializers with little-endian raw data
    /// (an f16 Const converted to f32 becomes an f32 initializer); Consts ONNX takes as
    /// attributes (axes, orders) do not. Nodes are named after their layers; a tensor is
    /// named after its port's first tensor name, else `<layer name>:<port id>`.
    ///
    /// - Parameter producer: written as `producer_name`.
    /// - Throws: `ONNXExportError.unsupportedLayer` naming the first layer whose operation,
    ///   attributes or used outputs have no ONNX translation, or whose tensor name repeats
    ///   another; `IRError` for a cycle or a Const whose data lies outside the weights.
    public static func model(of graph: IRGraph, producer: String) throws -> [UInt8] {
        let onnxGraph = try ONNXGraphTranslation(graph).onnx
        // ModelProto: ir_version = 1, producer_name = 2, graph = 7, opset_import = 8.
        var writer = ProtobufWriter()
        writer.appendVarint(field: 1, Int64(irVersion))
        writer.appendString(field: 2, producer)
        writer.appendMessage(field: 7, onnxGraph.encode(into:))
        // OperatorSetIdProto: version = 2; the domain (1) is left empty, the default one.
        writer.appendMessage(field: 8) { $0.appendVarint(field: 2, Int64(opsetVersion)) }
        return writer.bytes
    }
}
