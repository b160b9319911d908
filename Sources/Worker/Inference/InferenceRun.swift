import Core
import Foundation

/// An FP32 inference pass over a calibration dataset in this process: the smoke run that
/// shows a model loads, runs and produces sane outputs, and, with probing on, the range
/// of every intermediate activation.
public struct InferenceRun: Sendable {
    public let graph: IRGraph
    public let dataset: CalibrationDataset
    public let threads: Int
    public let interpolation: Interpolation
    public let channelOrder: ChannelOrder
    public let reader: ImageReader
    public let probeActivations: Bool
    /// The image input as it is fed; a batch input gets each image in every slot.
    public let input: ImageInput

    public init(
        graph: IRGraph, dataset: CalibrationDataset, threads: Int = 0, interpolation: Interpolation = .bilinear,
        channelOrder: ChannelOrder = .rgb, reader: ImageReader = .pillow, probeActivations: Bool = false, input: ImageInput
    ) {
        self.input = input
        self.graph = graph
        self.dataset = dataset
        self.threads = threads
        self.interpolation = interpolation
        self.channelOrder = channelOrder
        self.reader = reader
        self.probeActivations = probeActivations
    }

    /// Runs every image; `progress` is called with the number of images done.
    public func run(progress: (Int) -> Void = { _ in }) throws -> InferenceReport {
        let probe = probeActivations ? try ActivationProbe(graph: graph) : nil
        let runtime = try OpenVINORuntime()
        let inference = try FP32Inference(graph: probe?.graph ?? graph, runtime: runtime, threads: threads, input: input)
        let outputNames = graph.layers(ofType: "Result").map { result in
            graph.producer(of: PortReference(layer: result.id, port: 0)).flatMap { graph.port($0)?.names.first } ?? result.name
        }
        var outputShapes = [[Int]](repeating: [], count: outputNames.count)
        var summaries = [TensorSummary](repeating: TensorSummary(), count: probe?.tensors.count ?? 0)
        var inferenceSeconds = 0.0
        let started = Date()
        progress(0)
        for index in 0..<dataset.count {
            let image = try dataset.values(
                at: index, for: input, interpolation: interpolation, channelOrder: channelOrder, reader: reader)
            let values = Array([[Float]](repeating: image, count: input.batch).joined())
            let inferStart = Date()
            let outputs = try inference.infer(values)
            inferenceSeconds += Date().timeIntervalSince(inferStart)
            for (slot, output) in outputs.prefix(outputNames.count).enumerated() {
                outputShapes[slot] = output.shape
            }
            if let probe {
                for (slot, output) in outputs.dropFirst(probe.originalOutputs).enumerated() {
                    if let values = output.floats { summaries[slot].merge(TensorSummary(values)) }
                }
            }
            progress(index + 1)
        }
        let activations = zip(probe?.tensors ?? [], summaries).map { reference, summary in
            let layer = graph.layer(reference.layer)
            let name = (layer?.outputs.count ?? 1) > 1 ? "\(layer?.name ?? "?"):\(reference.port)" : layer?.name ?? "?"
            return InferenceReport.Activation(
                layer: name, type: layer?.type ?? "?", dims: graph.port(reference)?.dims ?? [], summary: summary)
        }
        return InferenceReport(
            images: dataset.count, totalSeconds: Date().timeIntervalSince(started), inferenceSeconds: inferenceSeconds,
            outputs: Array(zip(outputNames, outputShapes)).map { InferenceReport.Output(name: $0, lastShape: $1) },
            activations: activations)
    }
}

/// What an `InferenceRun` measured.
public struct InferenceReport: Sendable {
    /// A model output and its shape for the last image (detection outputs vary per image).
    public struct Output: Sendable {
        public let name: String
        public let lastShape: [Int]
    }

    /// The value range of one intermediate tensor over all images.
    public struct Activation: Sendable {
        public let layer: String
        public let type: String
        public let dims: [Int]
        public let summary: TensorSummary
    }

    public let images: Int
    public let totalSeconds: Double
    /// Time spent inside OpenVINO inference only.
    public let inferenceSeconds: Double
    public let outputs: [Output]
    public let activations: [Activation]
}
