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
