import Foundation
import Testing
import Worker

@testable import Core

/// The two statistics collections on real OpenVINO inference: extremes reduced inside
/// the graph give the per-image extremes, per-channel figures and int8 IR bytes that
/// whole tensors give, for the methods that need no histogram.
@Suite(.serialized) struct StatisticsCollectionTests {
    static let images: CalibrationDataset = {
        let folder = try! TemporaryFolder()
        _ = try! ExampleImageWriter(directory: folder.url).write(count: 3)
        return try! CalibrationDataset(folder: folder.url)
    }()

    private func calibrate(_ graph: IRGraph, collection: StatisticsCollection, method: CalibrationMethod = .pot) throws
        -> (statistics: CalibrationStatistics, xml: [UInt8], weights: [UInt8], corrected: Int)
    {
        let plan = try CalibrationPlan(graph: graph, collection: collection)
        let statistics = try plan.collect(dataset: Self.images, threads: 2)
        let (quantized, _, corrections) = try plan.quantize(statistics: statistics, selector: RangeSelector(method: method))
        return (statistics, IRWriter.xml(of: quantized), Array(quantized.weights), corrections.filter(\.isApplied).count)
    }

    /// The collector bins every whole tensor of a batch with one set of counters, reused
    /// from tensor to tensor while the next batch runs: its statistics equal those of the
    /// same model's raw outputs recorded one tensor at a time, each with counters of its own.
    @Test func histogramsWithReusedCountersEqualTheRawOutputsRecordedOneByOne() throws {
        let plan = try CalibrationPlan(graph: ExampleModelFixture.graph, collection: .histograms)
        let collected = try plan.collect(dataset: Self.images, threads: 2)
        let probe = try ActivationProbe(
            graph: plan.graph, tensors: plan.quantization.activations.map(\.tensor),
            channelReductions: ChannelReduction.collected(plan: plan.quantization, biasCorrection: plan.biasCorrection), collection: .histograms)
        let inference = try FP32Inference(graph: probe.graph, runtime: ExampleModelFixture.runtime, threads: 2, input: plan.input)
        var expected = plan.emptyStatistics()
        for image in 0..<Self.images.count {
            let outputs = try inference.infer(
                Self.images.values(at: image, for: inference.input, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow))
            for (tensor, output) in probe.outputs.enumerated() {
                guard case let .whole(index) = output else { throw IRError.invalidOperation("tensor \(tensor) is not whole") }
                expected.record(tensor: tensor, image: image, values: try #require(outputs[index].floats))
            }
        }
        #expect(collected.tensors.map(\.histogram.count).allSatisfy { $0 > 0 })
        #expect(collected.tensors == expected.tensors)
    }

    @Test(arguments: [CalibrationMethod.pot, .minmax])
    func extremesGiveTheBytesOfWholeTensorsOnTheExampleModel(method: CalibrationMethod) throws {
        let extremes = try calibrate(ExampleModelFixture.graph, collection: .extremes, method: method)
        let whole = try calibrate(ExampleModelFixture.graph, collection: .histograms, method: method)
        #expect(extremes.xml == whole.xml)
        #expect(extremes.weights == whole.weights)
        for (reduced, copied) in zip(extremes.statistics.tensors, whole.statistics.tensors) {
            #expect(reduced.perImage == copied.perImage)
            #expect(reduced.histogram.count == 0 && copied.histogram.count > 0, "extremes copy no tensor out")
        }
        #expect(extremes.statistics.channelFigures == whole.statistics.channelFigures)
    }

    @Test func extremesGiveTheBytesOfWholeTensorsWithBiasCorrection() throws {
        let extremes = try calibrate(BiasCorrectionEffectTests.network, collection: .extremes)
        let whole = try calibrate(BiasCorrectionEffectTests.network, collection: .histograms)
        #expect(whole.corrected > 0, "the network must have corrected layers for this test to mean anything")
        #expect(extremes.xml == whole.xml)
        #expect(extremes.weights == whole.weights)
    }
}
