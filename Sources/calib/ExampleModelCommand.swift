import ArgumentParser
import Core
import Foundation
import Worker

/// `calib example-model`: writes MLPerf's ssd-resnet34 topology with deterministic weights,
/// as the IR the seed's converter made or as the ONNX model it started from.
struct ExampleModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-model",
        abstract: "Write the ssd-resnet34 example IR (exact MLPerf topology, deterministic weights).",
        discussion: """
            An --output ending in .onnx writes the network as MLPerf's resnet34-ssd1200.onnx is: \
            normalized input, no mean/scale layers; `calib convert` with the seed's --mean-values \
            and --scale-values turns it into the IR an .xml output gets directly.
            """
    )

    @Option(parsing: .unconditional, help: "Square input resolution (1200 is MLPerf's reference; 300 is quick).")
    var resolution = 1200

    @Option(help: "Output .xml path (the .bin is written next to it), or an .onnx path.")
    var output: String

    @Flag(help: "Store weights as FP16 Const + Convert with converter meta data, like Model Optimizer's FP16 IRs.")
    var fp16 = false

    @Option(parsing: .unconditional, help: "Seed of the weight generator.")
    var seed: UInt64 = 34

    func validate() throws {
        let minimum = SSDResNet34.minimumResolution
        try OptionRange.require(resolution >= minimum, "--resolution", "at least \(minimum)", resolution)
    }

    func run() throws {
        try OutputLocation.checkWritable(output)
        let model = try SSDResNet34(resolution: resolution, seed: seed, halfPrecisionWeights: fp16)
        let onnx = output.lowercased().hasSuffix(".onnx")
        let graph = model.makeGraph(normalizingInput: !onnx)
        if onnx {
            try AtomicFile.write(ONNXExport.model(of: graph, producer: "calib \(CalibVersion.current)"), to: output)
            print("wrote \(output) (\(graph.weights.count / 1_000_000) MB, input normalized: convert with the mean and scale)")
        } else {
            try IRFiles.write(graph, xmlPath: output)
            print("wrote \(output) (+ .bin, \(graph.weights.count / 1_000_000) MB)")
        }
        let cost = try ModelCost(graph: graph)
        let sizes = SSDResNet34.headMapSizes(resolution: resolution, strides: model.strides)
        print("  ssd-resnet34 at \(resolution)x\(resolution), strides \(model.strides), \(fp16 ? "FP16" : "FP32") weights")
        print("  \(graph.layers.count) layers, \(String(format: "%.1f", Double(cost.parameters) / 1e6)) M parameters, "
            + "\(String(format: "%.1f", Double(cost.multiplyAccumulates) / 1e9)) GMAC per image")
        print("  head maps \(sizes), \(model.defaultBoxes.count) default boxes")
    }
}
