import Core
import Foundation
import Testing
import TestSupport
import Worker

/// Every op the plan quantizes runs on an int8 kernel in OpenVINO: each placement
/// network is calibrated on real images, written as int8 IR, compiled with profiling and
/// run; each planned Convolution, GroupConvolution, ConvolutionBackpropData and MatMul must
/// report an I8/U8 kernel.
@Suite(.serialized) struct PlacementKernelTests {
    static let dataset: CalibrationDataset = {
        let folder = try! TemporaryFolder()
        _ = try! ExampleImageWriter(directory: folder.url).write(count: 2)
        return try! CalibrationDataset(folder: folder.url)
    }()

    @Test(arguments: PlacementNetworks.all.map(\.name))
    func everyPlannedWeightedOpRunsOnAnInt8Kernel(network: String) throws {
        let graph = try #require(PlacementNetworks.all.first { $0.name == network }?.graph)
        let run = try CalibrationPlan(graph: graph)
        let statistics = try run.collect(dataset: Self.dataset, threads: 2)
        let quantized = try run.quantize(statistics: statistics, selector: RangeSelector()).graph
        let inference = try FP32Inference(graph: quantized, runtime: ExampleModelFixture.runtime, threads: 2, profiling: true)
        _ = try inference.infer(try Self.dataset.tensor(at: 0, resolution: 16, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow))
        let kernels = try inference.profilingInfo().filter(\.executed)
        for weight in run.quantization.weights {
            let name = try #require(graph.layer(weight.layer)?.name)
            guard let entry = kernels.first(where: { $0.nodeName == name }) else {
                Issue.record("\(network): no executed node \(name) in \(kernels.map { "\($0.nodeName) \($0.executionType)" })")
                continue
            }
            let kernel = entry.executionType.uppercased()
            #expect(kernel.contains("I8") || kernel.contains("U8"), "\(network): \(name) runs \(entry.executionType)")
        }
    }
}
