import Core
import Foundation
import OpenVINOConversion

/// Turns a model in another format (ONNX, TFLite) into the OpenVINO IR calib calibrates,
/// with OpenVINO's own frontends and serializer: the seed workflow's Model Optimizer step
/// (static input shape, mean and scale folded in as a Subtract and a Multiply by 1/scale
/// on the raw input, optional channel reversal, optional FP16 weights). `ov::save_model`
/// then runs the conversion tool's transformations, which fold that Multiply into the
/// first convolution's weights when it feeds one directly.
public struct ModelConverter: Sendable {
    /// The source formats OpenVINO reads, by file extension.
    public static let sourceExtensions = ["onnx", "tflite", "xml"]

    /// The source model file.
    public var source: String
    /// The input the shape and preprocessing apply to; nil for the model's only input.
    public var inputName: String?
    /// A static input shape, e.g. `[1, 3, 1200, 1200]`; nil keeps the source's.
    public var inputShape: [Int]?
    /// The input layout (`NCHW`, `NHWC`); nil guesses it from the shape when preprocessing needs it.
    public var layout: String?
    /// Per-channel mean subtracted from the raw input, in the model's channel order.
    public var meanValues: [Float] = []
    /// Per-channel scale the centred input is divided by (stored as a multiplication by 1/scale).
    public var scaleValues: [Float] = []
    /// Reverse the input's channels (RGB <-> BGR) before mean and scale.
    public var reverseInputChannels = false
    /// Store float weights as f16 Constants followed by Convert, as `--data_type FP16` did.
    public var compressToFP16 = false

    public init(source: String) {
        self.source = source
    }

    /// Converts the source and writes the IR pair at `xmlPath` (the `.bin` next to it)
    /// crash-safely, then returns it as calib reads it. Throws `FileError` naming the
    /// source (unreadable, an unknown format, OpenVINO's reason for refusing it or the
    /// options) or the output (see `OutputLocation.checkIR`).
    public func convert(to xmlPath: String) throws -> IRGraph {
        try checkSource()
        try OutputLocation.checkIR(output: xmlPath, model: source, kind: "converted IR")
        let folder = URL(fileURLWithPath: xmlPath).deletingLastPathComponent().path
        var template = Array("\(folder)/.calib-convert.XXXXXX".utf8CString)
        guard let scratch = mkdtemp(&template).map({ String(cString: $0) }) else {
            throw FileError(path: xmlPath, reason: "cannot create a scratch folder next to it: \(String(cString: strerror(errno)))")
        }
        let cleanup = InterruptCleanup(
            removing: [scratch] + [xmlPath, IRFiles.weightsPath(for: xmlPath)].map(AtomicFile.stagingPath(for:)))
        defer {
            try? FileManager.default.removeItem(atPath: scratch)
            cleanup.cancel()
        }
        let scratchXML = "\(scratch)/model.xml"
        try runOpenVINO(writing: scratchXML, modelName: URL(fileURLWithPath: xmlPath).deletingPathExtension().lastPathComponent)
        let xml = try AtomicFile.read(scratchXML)
        let weights = try AtomicFile.read(IRFiles.weightsPath(for: scratchXML))
        let graph: IRGraph
        do {
            graph = try IRReader.read(xml: xml, weights: weights)
        } catch {
            throw FileError(path: source, reason: "OpenVINO converted it, but calib cannot read the IR it wrote: \(error)")
        }
        try checkLayout(of: graph)
        try IRFiles.write(xml: xml, weights: weights, xmlPath: xmlPath)
        return graph
    }

    /// Refuses a `--layout` that contradicts the converted input's static shape (an image
    /// of 300 channels): OpenVINO records any layout given, and the IR would only fail
    /// when calibrated.
    private func checkLayout(of graph: IRGraph) throws {
        guard let layout, let given = ImageInput.Layout(rawValue: layout),
            let dims = graph.layers(ofType: "Parameter").first?.outputs.first?.dims, dims.count == 4, dims.allSatisfy({ $0 > 0 })
        else { return }
        do {
            _ = try ImageInput(graph: graph, layout: given)
        } catch {
            throw FileError(path: source, reason: "--layout \(layout) does not fit the converted model: \(error)")
        }
    }

    private func checkSource() throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: source, isDirectory: &isDirectory) else {
            throw FileError(path: source, reason: "no such file")
        }
        guard !isDirectory.boolValue else { throw FileError(path: source, reason: "is a folder, not a model file") }
        guard FileManager.default.isReadableFile(atPath: source) else { throw FileError(path: source, reason: "cannot be read") }
        let suffix = URL(fileURLWithPath: source).pathExtension.lowercased()
        guard Self.sourceExtensions.contains(suffix) else {
            throw FileError(
                path: source,
                reason: "is not a model calib can convert: give an .onnx, .tflite or IR .xml file")
        }
    }

    private func runOpenVINO(writing xmlPath: String, modelName: String) throws {
        let shape = (inputShape ?? []).map(Int64.init)
        var message = [CChar](repeating: 0, count: 4096)
        let status = shape.withUnsafeBufferPointer { shapeBuffer in
            meanValues.withUnsafeBufferPointer { meanBuffer in
                scaleValues.withUnsafeBufferPointer { scaleBuffer in
                    withOptionalCString(inputName) { inputName in
                        withOptionalCString(layout) { layout in
                            source.withCString { source in
                                xmlPath.withCString { xmlPath in
                                    modelName.withCString { modelName in
                                        var request = calib_model_conversion(
                                            source_path: source, xml_path: xmlPath, model_name: modelName, input_name: inputName,
                                            input_shape: shapeBuffer.baseAddress, input_rank: shapeBuffer.count, layout: layout,
                                            mean_values: meanBuffer.baseAddress, mean_count: meanBuffer.count,
                                            scale_values: scaleBuffer.baseAddress, scale_count: scaleBuffer.count,
                                            reverse_input_channels: reverseInputChannels ? 1 : 0,
                                            compress_to_fp16: compressToFP16 ? 1 : 0)
                                        return calib_convert_model(&request, &message, message.count)
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        guard status == 0 else {
            let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
            throw FileError(path: source, reason: status == 2 ? reason : "OpenVINO cannot convert it: \(reason)")
        }
    }

    private func withOptionalCString<Result>(_ text: String?, _ body: (UnsafePointer<CChar>?) -> Result) -> Result {
        guard let text else { return body(nil) }
        return text.withCString { body($0) }
    }
}
