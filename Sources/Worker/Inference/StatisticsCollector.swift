import Core

/// Collects activation statistics of one quantization plan: the model gets a `Result`
/// on every planned tensor and on the in-graph per-channel means FastBiasCorrection needs,
/// so one FP32 inference per image yields all of them. Two
/// requests alternate so that OpenVINO infers image i+1 while image i's outputs are
/// recorded (in place, no copy) under the image's index.
public final class StatisticsCollector: @unchecked Sendable {
    private let inference: FP32Inference
    private let requests: [InferRequest]
    private let firstProbe: Int
    private let tensorCount: Int
    private let meanCount: Int

    public init(
        graph: IRGraph, plan: QuantizationPlan, biasCorrection: BiasCorrectionPlan, runtime: OpenVINORuntime, threads: Int = 0
    ) throws {
        let probe = try ActivationProbe(
            graph: graph, tensors: plan.activations.map(\.tensor), channelMeans: biasCorrection.meanTensors)
        inference = try FP32Inference(graph: probe.graph, runtime: runtime, threads: threads)
        requests = [inference.request, try inference.makeRequest()]
        firstProbe = probe.originalOutputs
        tensorCount = probe.tensors.count
        meanCount = probe.channelMeans.count
    }

    /// The `[1, 3, H, W]` input the model takes.
    public var inputShape: [Int] { inference.inputShape }

    /// Runs the images `indices` (their inputs made by `input`) and records every planned
    /// tensor into `statistics`; `progress` gets the number of images done.
    public func collect(
        images indices: [Int], input: (Int) throws -> [Float], into statistics: inout CalibrationStatistics,
        progress: (Int) -> Void = { _ in }
    ) throws {
        guard let first = indices.first else { return }
        try requests[0].setInput(input(first), shape: inputShape)
        try requests[0].startAsync()
        for (position, index) in indices.enumerated() {
            let current = requests[position % 2]
            try current.wait()
            if position + 1 < indices.count {
                let next = requests[(position + 1) % 2]
                try next.setInput(input(indices[position + 1]), shape: inputShape)
                try next.startAsync()
            }
            try record(current, image: index, into: &statistics)
            progress(position + 1)
        }
    }

    private func record(_ request: InferRequest, image index: Int, into statistics: inout CalibrationStatistics) throws {
        for tensor in 0..<tensorCount {
            let output = try request.output(firstProbe + tensor)
            guard let values = output.floats else {
                throw IRError.invalidOperation("probed tensor \(statistics.tensorNames[tensor]) is not f32")
            }
            statistics.record(tensor: tensor, image: index, values: values)
        }
        for tensor in 0..<meanCount {
            let output = try request.output(firstProbe + tensorCount + tensor)
            guard let means = output.floats else {
                throw IRError.invalidOperation("the channel means of \(statistics.channelMeanNames[tensor]) are not f32")
            }
            statistics.recordChannelMeans(tensor: tensor, image: index, means: means)
        }
    }
}
