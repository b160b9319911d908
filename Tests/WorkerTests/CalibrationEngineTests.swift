import Core
import Foundation
import Testing
import Worker

/// The calibration engine on the example model and real activations: POT parity,
/// exact merging, byte-identical output.
@Suite(.serialized) struct CalibrationEngineTests {
    static let images = 3
    static let run = try! CalibrationPlan(graph: ExampleModelFixture.graph)
    static let dataset: CalibrationDataset = {
        let folder = try! TemporaryFolder()
        _ = try! ExampleImageWriter(directory: folder.url).write(count: images)
        return try! CalibrationDataset(folder: folder.url)
    }()

    /// Statistics of images `indices`, each run in its own collector (as a worker would).
    private func statistics(_ indices: Range<Int>) throws -> CalibrationStatistics {
        try Self.run.collect(dataset: Self.dataset, indices: indices, threads: 2)
    }

    @Test func potRangesEqualTheFormulasOnRawActivations() throws {
        let merged = try statistics(0..<Self.images)
        let ranges = try RangeSelector(method: .pot).ranges(plan: Self.run.quantization, statistics: merged)
        // Raw activations of the same images, straight from OpenVINO.
        let probe = try ActivationProbe(graph: ExampleModelFixture.graph, tensors: Self.run.quantization.activations.map(\.tensor))
        let inference = try FP32Inference(graph: probe.graph, runtime: ExampleModelFixture.runtime, threads: 2)
        var absoluteMaxima = [[Double]](repeating: [], count: probe.tensors.count)
        var minima = [[Double]](repeating: [], count: probe.tensors.count)
        for index in 0..<Self.images {
            let input = try Self.dataset.tensor(at: index, resolution: 300, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow)
            for (slot, output) in try inference.infer(input).dropFirst(probe.originalOutputs).enumerated() {
                let values = try #require(output.floats)
                let low = Double(values.min()!)
                let high = Double(values.max()!)
                minima[slot].append(low)
                absoluteMaxima[slot].append(max(-low, high))
            }
        }
        for (slot, activation) in Self.run.quantization.activations.enumerated() {
            let high = absoluteMaxima[slot].reduce(0, +) / Double(Self.images)
            let unsigned = minima[slot].allSatisfy { $0 >= 0 }
            let expected = ActivationRange(low: unsigned ? 0 : Float(-high * 256 / 254), high: Float(high))
            #expect(ranges[slot] == expected, "\(activation.name)")
        }
        #expect(ranges.contains { $0.isUnsigned } && ranges.contains { !$0.isUnsigned })
    }

    @Test func anySplitAndOrderGivesIdenticalStatisticsAndIR() throws {
        let onePass = try statistics(0..<Self.images)
        let first = try statistics(0..<1)
        let rest = try statistics(1..<Self.images)
        var forward = first
        try forward.merge(rest)
        var backward = rest
        try backward.merge(first)
        #expect(forward.encoded() == onePass.encoded())
        #expect(backward.encoded() == onePass.encoded())
        let selector = RangeSelector()
        let reference = IRWriter.xml(of: try Self.run.quantize(statistics: onePass, selector: selector).graph)
        let merged = try Self.run.quantize(statistics: backward, selector: selector).graph
        #expect(IRWriter.xml(of: merged) == reference)
        #expect(try Self.run.quantize(statistics: onePass, selector: selector).graph.weights == merged.weights)
        // The same image twice is refused rather than counted twice.
        #expect(throws: StatisticsError.self) { try forward.merge(first) }
    }

    @Test func savedStatisticsRepickWithAnotherMethod() throws {
        let collected = try statistics(0..<2)
        let reloaded = try CalibrationStatistics(decoding: collected.encoded())
        #expect(reloaded == collected)
        for method in CalibrationMethod.allCases {
            for preset in QuantizationPreset.allCases {
                let ranges = try RangeSelector(method: method, preset: preset).ranges(plan: Self.run.quantization, statistics: reloaded)
                #expect(ranges.allSatisfy { $0.low <= 0 && $0.high > 0 && $0.low.isFinite && $0.high.isFinite }, "\(method) \(preset)")
                if preset == .mixed {
                    // Zero falls exactly on a level.
                    for range in ranges {
                        let step = (Double(range.high) - Double(range.low)) / 255
                        let zero = -Double(range.low) / step
                        #expect(abs(zero - zero.rounded()) < 1e-3)
                    }
                }
            }
        }
        // Statistics of another model are refused.
        let other = CalibrationStatistics(modelDigest: "0000", tensorNames: reloaded.tensorNames)
        #expect(throws: StatisticsError.self) { try Self.run.quantize(statistics: other, selector: RangeSelector()) }
    }
}
