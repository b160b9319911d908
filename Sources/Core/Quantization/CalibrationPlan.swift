/// What calibrating one model takes, worked out before any image is run: where the
/// quantizers go and which tensors to probe, the layers FastBiasCorrection corrects,
/// the model's digest and its input. From statistics (collected in this process or by
/// workers) it picks ranges and makes the int8 graph.
public struct CalibrationPlan: Sendable {
    public let graph: IRGraph
    /// Where the FakeQuantize layers go and which activations are probed.
    public let quantization: QuantizationPlan
    /// The layers FastBiasCorrection corrects and the means it needs.
    public let biasCorrection: BiasCorrectionPlan
    /// The model's `ModelDigest`: names it in statistics files and jobs.
    public let modelDigest: String
    /// The image input as calibration feeds it.
    public let input: ImageInput
    /// The layer names and types left in float, as given: workers plan the same.
    public let ignoredNames: [String]
    public let ignoredTypes: [String]
    /// What is taken from each probed tensor per image.
    public let collection: StatisticsCollection

    /// Plans `graph`; `inputShape` and `layout` fix what its input leaves open (see `ImageInput`).
    public init(
        graph: IRGraph, ignoredNames: [String] = [], ignoredTypes: [String] = [], inputShape: [Int]? = nil,
        layout: ImageInput.Layout? = nil, collection: StatisticsCollection = .histograms
    ) throws {
        self.graph = graph
        self.collection = collection
        self.ignoredNames = ignoredNames
        self.ignoredTypes = ignoredTypes
        input = try ImageInput(graph: graph, shape: inputShape, layout: layout)
        quantization = try QuantizationPlan(graph: graph, ignoredNames: ignoredNames, ignoredTypes: ignoredTypes)
        biasCorrection = BiasCorrectionPlan(graph: graph, plan: quantization)
        modelDigest = ModelDigest.of(graph)
    }

    /// Empty statistics for this model's plan.
    public func emptyStatistics() -> CalibrationStatistics {
        CalibrationStatistics(
            modelDigest: modelDigest, tensorNames: quantization.activations.map(\.name),
            channelNames: ChannelReduction.collected(plan: quantization, biasCorrection: biasCorrection).map(\.name))
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
        let ranges = try selector.ranges(plan: quantization, statistics: statistics)
        let corrections =
            biasCorrection
            ? try BiasCorrection.outcomes(graph: graph, plan: quantization, correction: self.biasCorrection, statistics: statistics)
            : []
        let quantized = try QuantizedModelWriter.quantize(
            graph, plan: quantization, ranges: ranges, keepFloatWeights: keepFloatWeights, biasCorrections: corrections)
        return (quantized, ranges, corrections)
    }
}
