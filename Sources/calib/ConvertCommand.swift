import ArgumentParser
import Core
import Foundation
import Worker

/// `calib convert`: the seed workflow's Model Optimizer step (ONNX or TFLite to IR, with
/// the input shape and the mean/scale folded in), done by OpenVINO's own frontends.
struct ConvertCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "convert",
        abstract: "Convert an ONNX or TFLite model to OpenVINO IR, folding in input shape, mean and scale.",
        discussion: """
            The seed's step, for example (one command):
              calib convert resnet34-ssd1200.onnx
                --output FP16/ssd-resnet34_fp16.xml --input image
                --input-shape 1,3,1200,1200 --fp16
                --mean-values 123.675,116.28,103.53
                --scale-values 58.395,57.12,57.375
            The IR then takes raw 0..255 pixels: it subtracts the mean first and \
            multiplies by 1/scale (OpenVINO folds that into the first convolution's \
            weights when it can). An IR .xml is read too, to reshape or preprocess it.
            """
    )

    @Argument(help: "The model to convert: .onnx, .tflite (or an IR .xml to reshape or preprocess).")
    var model: String

    @Option(help: "Output .xml path; the .bin is written next to it.")
    var output: String

    @Option(help: "The input to shape and preprocess (default: the model's only input).")
    var input: String?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("A static input shape, e.g. 1,3,1200,1200.", valueName: "N,C,H,W"),
        transform: { try NumberList.positiveIntegers($0, option: "--input-shape") })
    var inputShape: [Int]?

    @Option(help: "The input layout (default: guessed from which axis has as many entries as there are mean/scale values).")
    var layout: ImageInput.Layout?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Per-channel mean subtracted from the raw input, e.g. 123.675,116.28,103.53.", valueName: "values"),
        transform: { try NumberList.finiteNumbers($0, option: "--mean-values") })
    var meanValues: [Float]?

    @Option(
        parsing: .unconditional,
        help: ArgumentHelp("Per-channel scale the centred input is divided by, e.g. 58.395,57.12,57.375.", valueName: "values"),
        transform: { try NumberList.finiteNumbers($0, option: "--scale-values") })
    var scaleValues: [Float]?

    @Flag(help: "Reverse the input channels (RGB <-> BGR) before mean and scale, which stay in the model's order.")
    var reverseInputChannels = false

    @Flag(help: "Store float weights as FP16 Const + Convert (Model Optimizer's --data_type FP16).")
    var fp16 = false

    func validate() throws {
        if let scaleValues, scaleValues.contains(where: { !(1 / $0).isFinite }) {
            throw ValidationError("--scale-values must not contain 0 or values whose inverse overflows a float, got \(scaleValues)")
        }
    }

    func run() throws {
        var converter = ModelConverter(source: model)
        converter.inputName = input
        converter.inputShape = inputShape
        converter.layout = layout?.rawValue
        converter.meanValues = meanValues ?? []
        converter.scaleValues = scaleValues ?? []
        converter.reverseInputChannels = reverseInputChannels
        converter.compressToFP16 = fp16
        let graph = try converter.convert(to: output)
        let halfWeights = graph.layers(ofType: "Const").contains { $0.attribute("element_type") == "f16" }
        let megabytes = String(format: "%.1f", Double(graph.weights.count) / 1e6)
        print("wrote \(output) (+ .bin, \(megabytes) MB, \(halfWeights ? "FP16" : "FP32") weights)")
        for parameter in graph.layers(ofType: "Parameter") {
            let port = parameter.outputs.first
            print("  input \(port?.names.first ?? parameter.name) [\(Self.shape(of: port))] \(parameter.attribute("element_type") ?? "")")
        }
        for result in graph.layers(ofType: "Result") {
            let source = result.inputs.first.flatMap { graph.producer(of: PortReference(layer: result.id, port: $0.id)) }
            let port = source.flatMap { graph.port($0) }
            print("  output \(port?.names.first ?? result.name) [\(Self.shape(of: port))]")
        }
        let cost = try? ModelCost(graph: graph)
        let summary = cost.map { ", \(String(format: "%.2f", Double($0.multiplyAccumulates) / 1e9)) GMAC per image" } ?? ""
        print("  \(graph.layers.count) layers\(summary)")
    }

    /// A port's dimensions as `1,3,?,?`.
    private static func shape(of port: Core.Port?) -> String {
        port?.dims.map { $0.map { $0 < 0 ? "?" : String($0) }.joined(separator: ",") } ?? "?"
    }
}
