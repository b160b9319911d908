import Core

/// A worker's share of a calibration job: decodes the image bytes the coordinator
/// shipped, runs them through the probed model and returns their statistics, keyed by
/// the images' indices in the whole calibration set.
public final class ShardProcessor: @unchecked Sendable {
    public let modelDigest: String
    public let tensorNames: [String]
    /// The per-channel figures collected (`ChannelReduction.collected`).
    public let channelNames: [String]
    private let collector: StatisticsCollector
    private let interpolation: Interpolation
    private let channelOrder: ChannelOrder
    private let reader: ImageReader

    /// Prepares the model of a job (`modelDigest` already checked by the caller);
    /// `expectedTensorNames` must match the plan this worker derives, so coordinator and
    /// worker agree on what is measured.
    public init(
        graph: IRGraph, modelDigest: String, ignoredNames: [String], ignoredTypes: [String], expectedTensorNames: [String],
        interpolation: Interpolation, channelOrder: ChannelOrder, reader: ImageReader, input: ImageInput,
        runtime: OpenVINORuntime, threads: Int, collection: StatisticsCollection = .histograms
    ) throws {
        let plan = try QuantizationPlan(graph: graph, ignoredNames: ignoredNames, ignoredTypes: ignoredTypes)
        tensorNames = plan.activations.map(\.name)
        guard tensorNames == expectedTensorNames else {
            throw StatisticsError.mismatch("this worker plans other tensors than the coordinator for the same model")
        }
        self.modelDigest = modelDigest
        let biasCorrection = BiasCorrectionPlan(graph: graph, plan: plan)
        channelNames = ChannelReduction.collected(plan: plan, biasCorrection: biasCorrection).map(\.name)
        collector = try StatisticsCollector(
            graph: graph, plan: plan, biasCorrection: biasCorrection, runtime: runtime, threads: threads, input: input,
            collection: collection)
        self.interpolation = interpolation
        self.channelOrder = channelOrder
        self.reader = reader
    }

    /// Statistics of one shard's images, given as (index, file name, file bytes).
    public func process(_ images: [(index: Int, name: String, bytes: [UInt8])]) throws -> CalibrationStatistics {
        var statistics = CalibrationStatistics(modelDigest: modelDigest, tensorNames: tensorNames, channelNames: channelNames)
        let input = collector.input
        let byIndex = Dictionary(images.map { ($0.index, $0) }, uniquingKeysWith: { first, _ in first })
        try collector.collect(
            images: images.map(\.index),
            input: { index in
                let image = byIndex[index]!
                return input.values(
                    of: try ImageDecoder.decode(image.bytes, name: image.name, reader: self.reader)
                        .resized(width: input.width, height: input.height, interpolation: self.interpolation),
                    channelOrder: self.channelOrder)
            }, into: &statistics)
        return statistics
    }
}
