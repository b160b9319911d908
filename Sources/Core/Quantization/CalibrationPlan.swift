import Core
import Foundation
import Worker

/// Calibration in this process: plan the model, collect statistics over the dataset
/// with FP32 inference, pick ranges, correct biases, and produce the int8 IR.
public struct CalibrationRun: Sendable {
    public let graph: IRGraph
    public let plan: QuantizationPlan
    /// The layers FastBiasCorrection corrects and the means it needs.
    public let biasCorrection: BiasCorrectionPlan
    /// The model's `ModelDigest`: names it in statistics files and jobs.
    public let modelDigest: String
    /// The image input as calibration feeds it.
    public let input: ImageInput
    /// The layer names and types left in float, as given: workers plan the same.
    public let ignoredNames: [String]
    public let ignoredTypes: [String]

    /// Plans `graph`; `inputShape` and `layout` fix what its input leaves open (see `ImageInput`).
    public init(
        graph: IRGraph, ignoredNames: [String] = [], ignoredTypes: [String] = [], inputShape: [Int]? = nil,
        layout: ImageInput.Layout? = nil
    ) throws {
        self.graph = graph
        self.ignoredNames = ignoredNames
        self.ignoredTypes = ignoredTypes
        input = try ImageInput(graph: graph, shape: inputShape, layout: layout)
        plan = try QuantizationPlan(graph: graph, ignoredNames: ignoredNames, ignoredTypes: ignoredTypes)
        biasCorrection = BiasCorrectionPlan(graph: graph, plan: plan)
        modelDigest = ModelDigest.of(graph)
    }

    /// Empty statistics for this model's plan.
    public func emptyStatistics() -> CalibrationStatistics {
        CalibrationStatistics(
            modelDigest: modelDigest, tensorNames: plan.activations.map(\.name),
            channelNames: ChannelReduction.collected(plan: plan, biasCorrection: biasCorrection).map(\.name))
    }

    /// Runs the images of `dataset` whose indices are `indices` and returns their statistics.
    public func collect(
        dataset: CalibrationDataset, indices: Range<Int>? = nil, threads: Int = 0, interpolation: Interpolation = .bilinear,
        channelOrder: ChannelOrder = .rgb, reader: ImageReader = .pillow, progress: (Int) -> Void = { _ in }
    ) throws -> CalibrationStatistics {
        let collector = try StatisticsCollector(
            graph: graph, plan: plan, biasCorrection: biasCorrection, runtime: OpenVINORuntime(), threads: threads, input: input)
        var statistics = emptyStatistics()
        progress(0)
        try collector.collect(
            images: Array(indices ?? 0..<dataset.count),
            input: { [input] index in
                try dataset.values(at: index, for: input, interpolation: interpolation, channelOrder: channelOrder, reader: reader)
            }, into: &statistics, progress: progress)
        return statistics
    }

    /// Ranges from `statistics` (which must belong to this model), FastBiasCorrection's
    /// outcomes (none with `biasCorrection` false), and the int8 graph.
    public func quantize(
        statistics: CalibrationStatistics, selector: RangeSelector, keepFloatWeights: Bool = false, biasCorrection: Bool = true
    ) throws -> (graph: IRGraph, ranges: [ActivationRange], biasCorrections: [BiasCorrection.Outcome]) {
        guard statistics.modelDigest == modelDigest else {
            throw StatisticsError.mismatch(
                "statistics belong to model \(statistics.modelDigest.prefix(12)), not \(modelDigest.prefix(12))")
        }
        let ranges = try selector.ranges(plan: plan, statistics: statistics)
        let corrections =
            biasCorrection
            ? try BiasCorrection.outcomes(graph: graph, plan: plan, correction: self.biasCorrection, statistics: statistics)
            : []
        let quantized = try QuantizedModelWriter.quantize(
            graph, plan: plan, ranges: ranges, keepFloatWeights: keepFloatWeights, biasCorrections: corrections)
        return (quantized, ranges, corrections)
    }
}
