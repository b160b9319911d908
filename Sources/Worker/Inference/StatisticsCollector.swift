import Core

/// Collects activation statistics of one quantization plan: the model gets probes on
/// every planned tensor (whole, or reduced to their extremes inside the graph: see
/// `StatisticsCollection`) and on the in-graph per-channel figures
/// (`ChannelReduction.collected`), so one FP32 inference per batch of images yields all
/// of them. Two requests alternate so that OpenVINO infers the next batch while this
/// one's outputs are recorded (in place, no copy) under each image's index; a batch
/// input's outputs are split per image along their first axis, and a last, short batch is
/// filled with its last image, whose copies are not recorded.
///
/// With extremes, a batch where some tensor's sum is not finite (a NaN or an infinity, or
/// an overflow) is inferred again by a model probing whole tensors, compiled on first
/// need, and its tensors are recorded whole: extremes then leave non-finite values out
/// and count them exactly, as with histograms.
public final class StatisticsCollector: @unchecked Sendable {
    private let inference: FP32Inference
    private let requests: [InferRequest]
    private let probe: ActivationProbe
    private let whole: () throws -> (inference: FP32Inference, probe: ActivationProbe)
    private var wholeTensors: (inference: FP32Inference, probe: ActivationProbe)?

    /// - Parameters:
    ///   - collection: what comes out of each tensor.
    ///   - input: the input to feed (nil: the model's own, which must be static).
    public init(
        graph: IRGraph, plan: QuantizationPlan, biasCorrection: BiasCorrectionPlan, runtime: OpenVINORuntime, threads: Int = 0,
        input: ImageInput? = nil, collection: StatisticsCollection = .histograms
    ) throws {
        let tensors = plan.activations.map(\.tensor)
        probe = try ActivationProbe(
            graph: graph, tensors: tensors, channelReductions: ChannelReduction.collected(plan: plan, biasCorrection: biasCorrection),
            collection: collection)
        inference = try FP32Inference(graph: probe.graph, runtime: runtime, threads: threads, input: input)
        requests = [inference.request, try inference.makeRequest()]
        let fed = inference.input
        whole = {
            let probe = try ActivationProbe(graph: graph, tensors: tensors)
            return (try FP32Inference(graph: probe.graph, runtime: runtime, threads: threads, input: fed), probe)
        }
    }

    /// The input the model is fed.
    public var input: ImageInput { inference.input }

    /// Runs the images `indices` (each image's values, in the input's layout, made by
    /// `values`) and records every planned tensor into `statistics`; `progress` gets the
    /// number of images done.
    public func collect(
        images indices: [Int], input values: (Int) throws -> [Float], into statistics: inout CalibrationStatistics,
        progress: (Int) -> Void = { _ in }
    ) throws {
        let batch = input.batch
        let groups = stride(from: 0, to: indices.count, by: batch).map { Array(indices[$0..<min($0 + batch, indices.count)]) }
        guard let first = groups.first else { return }
        var counters = HistogramCounters()
        func batchValues(_ group: [Int]) throws -> [Float] {
            var joined = [Float]()
            for index in group + Array(repeating: group[group.count - 1], count: batch - group.count) {
                joined += try values(index)
            }
            return joined
        }
        func start(_ request: InferRequest, _ group: [Int]) throws {
            try request.setInput(try batchValues(group), shape: inference.inputShape)
            try request.startAsync()
        }
        try start(requests[0], first)
        var done = 0
        for (position, group) in groups.enumerated() {
            let current = requests[position % 2]
            try current.wait()
            if position + 1 < groups.count {
                try start(requests[(position + 1) % 2], groups[position + 1])
            }
            let skipped = try record(
                try (0..<inference.outputCount).map { try current.output($0) }, probe: probe, images: group, into: &statistics,
                counters: &counters)
            if !skipped.isEmpty {
                if wholeTensors == nil { wholeTensors = try whole() }
                let (fallback, wholeProbe) = wholeTensors!
                _ = try record(
                    try fallback.infer(try batchValues(group)), probe: wholeProbe, images: group, tensors: skipped, into: &statistics,
                    counters: &counters)
            }
            done += group.count
            progress(done)
        }
    }

    /// Records the outputs of one batch, of `tensors` (nil: every probed tensor and the
    /// per-channel figures): slot `s` of every probe belongs to `images[s]`. Returns the
    /// tensors reduced to their extremes whose sum was not finite for some image: none of
    /// their images is recorded, and they must be recorded again whole. Histograms are
    /// binned in `counters`.
    private func record(
        _ outputs: [TensorView], probe: ActivationProbe, images: [Int], tensors: Set<Int>? = nil,
        into statistics: inout CalibrationStatistics, counters: inout HistogramCounters
    ) throws -> Set<Int> {
        let batch = input.batch
        func values(_ index: Int, of name: String) throws -> UnsafeBufferPointer<Float> {
            guard let values = outputs[index].floats else {
                throw IRError.invalidOperation("probed tensor \(name) is not f32")
            }
            guard values.count % batch == 0 else {
                throw IRError.invalidOperation("probed tensor \(name) of \(values.count) values does not split into \(batch) images")
            }
            return values
        }
        func part(_ values: UnsafeBufferPointer<Float>, slot: Int) -> UnsafeBufferPointer<Float> {
            let share = values.count / batch
            return UnsafeBufferPointer(rebasing: values[slot * share..<(slot + 1) * share])
        }
        var skipped = Set<Int>()
        for (tensor, output) in probe.outputs.enumerated() where tensors?.contains(tensor) ?? true {
            let name = statistics.tensorNames[tensor]
            switch output {
            case let .whole(index):
                let tensorValues = try values(index, of: name)
                for (slot, image) in images.enumerated() {
                    statistics.record(tensor: tensor, image: image, values: part(tensorValues, slot: slot), counters: &counters)
                }
            case let .extremes(minimum, maximum, finiteness):
                let (minima, maxima, witness) = (try values(minimum, of: name), try values(maximum, of: name), try values(finiteness, of: name))
                // A finite sum (or mean) means every value was finite, and then so are the extremes.
                guard images.indices.allSatisfy({ part(witness, slot: $0).allSatisfy(\.isFinite) }) else {
                    skipped.insert(tensor)
                    continue
                }
                for (slot, image) in images.enumerated() {
                    statistics.record(tensor: tensor, image: image, minimum: minima[slot], maximum: maxima[slot])
                }
            }
        }
        guard tensors == nil else { return skipped }
        for (figure, name) in statistics.channelNames.enumerated() {
            let figureValues = try values(probe.firstChannelOutput + figure, of: name)
            for (slot, image) in images.enumerated() {
                statistics.recordChannelFigures(figure, image: image, values: part(figureValues, slot: slot))
            }
        }
        return skipped
    }
}
