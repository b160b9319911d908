import ArgumentParser
import Core
import Foundation
import Worker

/// `calib example-model`: writes MLPerf's ssd-resnet34 topology with deterministic weights.
struct ExampleModelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "example-model",
        abstract: "Write the ssd-resnet34 example IR (exact MLPerf topology, deterministic weights)."
    )

    @Option(help: "Square input resolution (1200 is MLPerf's reference; 300 is quick).")
    var resolution = 1200

    @Option(help: "Output .xml path; the .bin is written next to it.")
    var output: String

    @Flag(help: "Store weights as FP16 Const + Convert with converter meta data, like the seed workflow's IR.")
    var fp16 = false

    @Option(help: "Seed of the weight generator.")
    var seed: UInt64 = 34

    func run() throws {
        try OutputLocation.checkWritable(output)
        let model = try SSDResNet34(resolution: resolution, seed: seed, halfPrecisionWeights: fp16)
        let graph = model.makeGraph()
        try IRFiles.write(graph, xmlPath: output)
        let cost = try ModelCost(graph: graph)
        let sizes = SSDResNet34.headMapSizes(resolution: resolution, strides: model.strides)
        print("wrote \(output) (+ .bin, \(graph.weights.count / 1_000_000) MB)")
        print("  ssd-resnet34 at \(resolution)x\(resolution), strides \(model.strides), \(fp16 ? "FP16" : "FP32") weights")
        print("  \(graph.layers.count) layers, \(String(format: "%.1f", Double(cost.parameters) / 1e6)) M parameters, "
            + "\(String(format: "%.1f", Double(cost.multiplyAccumulates) / 1e9)) GMAC per image")
        print("  head maps \(sizes), \(model.defaultBoxes.count) default boxes")
    }
}
