import Core

/// Collects activation statistics of one quantization plan: the model gets a `Result`
/// on every planned tensor and on the in-graph per-channel figures (`ChannelReduction.collected`),
/// so one FP32 inference per batch of images yields all of them. Two requests alternate
/// so that OpenVINO infers the next batch while this one's outputs are recorded (in
/// place, no copy) under each image's index; a batch input's outputs are split per image
/// along their first axis, and a last, short batch is filled with its last image, whose
/// copies are not recorded.
public final class StatisticsCollector: @unchecked Sendable {
    private let inference: FP32Inference
    private let requests: [InferRequest]
    private let firstProbe: Int
    private let tensorCount: Int
    private let figureCount: Int

    /// - Parameter input: the input to feed (nil: the model's own, which must be static).
    public init(
        graph: IRGraph, plan: QuantizationPlan, biasCorrection: BiasCorrectionPlan, runtime: OpenVINORuntime, threads: Int = 0,
        input: ImageInput? = nil
    ) throws {
        let probe = try ActivationProbe(
            graph: graph, tensors: plan.activations.map(\.tensor),
            channelReductions: ChannelReduction.collected(plan: plan, biasCorrection: biasCorrection))
        inference = try FP32Inference(graph: probe.graph, runtime: runtime, threads: threads, input: input)
        requests = [inference.request, try inference.makeRequest()]
        firstProbe = probe.originalOutputs
        tensorCount = probe.tensors.count
        figureCount = probe.channelReductions.count
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
        func start(_ request: InferRequest, _ group: [Int]) throws {
            var batchValues = [Float]()
            for index in group + Array(repeating: group[group.count - 1], count: batch - group.count) {
                batchValues += try values(index)
            }
            try request.setInput(batchValues, shape: inference.inputShape)
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
            try record(current, images: group, into: &statistics)
            done += group.count
            progress(done)
        }
    }

    /// Records the outputs of one batch: slot `s` of every probe belongs to `images[s]`.
    private func record(_ request: InferRequest, images: [Int], into statistics: inout CalibrationStatistics) throws {
        let batch = input.batch
        for tensor in 0..<tensorCount + figureCount {
            let output = try request.output(firstProbe + tensor)
            let isFigure = tensor >= tensorCount
            let name = isFigure ? statistics.channelNames[tensor - tensorCount] : statistics.tensorNames[tensor]
            guard let values = output.floats else {
                throw IRError.invalidOperation("probed tensor \(name) is not f32")
            }
            guard values.count % batch == 0 else {
                throw IRError.invalidOperation("probed tensor \(name) of \(values.count) values does not split into \(batch) images")
            }
            let share = values.count / batch
            for (slot, image) in images.enumerated() {
                let part = UnsafeBufferPointer(rebasing: values[slot * share..<(slot + 1) * share])
                if isFigure {
                    statistics.recordChannelFigures(tensor - tensorCount, image: image, values: part)
                } else {
                    statistics.record(tensor: tensor, image: image, values: part)
                }
            }
        }
    }
}
