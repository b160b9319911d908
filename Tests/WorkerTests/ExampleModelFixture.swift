import Core
import Foundation
import Worker

/// Shared, lazily built test inputs: the example model at 300x300 (built once per test
/// process, it holds 20 M weights).
enum ExampleModelFixture {
    static let graph: IRGraph = try! SSDResNet34(resolution: 300).makeGraph()
    static let halfPrecisionGraph: IRGraph = try! SSDResNet34(resolution: 300, halfPrecisionWeights: true).makeGraph()
    static let runtime: OpenVINORuntime = try! OpenVINORuntime()

    /// A deterministic input image tensor for the 300x300 model.
    static func input(index: Int = 0) -> [Float] {
        try! RGBImage.synthetic(index: index).resized(width: 300, height: 300, interpolation: .bilinear)
            .planarTensor(channelOrder: .rgb)
    }

    /// The package root, found from this file's path.
    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Runs the model on `input` and returns each output's values as Double, with shapes.
    static func outputs(of graph: IRGraph, input: [Float]) throws -> [(shape: [Int], values: [Double])] {
        let inference = try FP32Inference(graph: graph, runtime: runtime, threads: 2)
        return try inference.infer(input).map { ($0.shape, $0.doubles()) }
    }
}
