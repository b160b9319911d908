import Core
import Foundation

/// Compares an int8 model with its FP32 reference on the same images, as `calib eval`
/// does: the SQNR (dB) of every float output and, for a detector, of the boxes and scores
/// that feed its NonMaxSuppression (its outputs after NMS vary in length and order); for a
/// detector with outputs `bboxes [1,K,4]`, `labels [1,K]` and `scores [1,K]` (MLPerf's
/// names), the detection agreement: COCO mAP@[.5:.95] of the int8 detections with the
/// FP32 ones as ground truth; the top-1 agreement of classifier-like outputs (`[N, K]`);
/// and the latency of each model on this machine, f32 hint and the same threads for both.
public struct EvaluationRun: Sendable {
    public let reference: IRGraph
    public let model: IRGraph
    public let dataset: CalibrationDataset
    public let threads: Int
    public let interpolation: Interpolation
    public let channelOrder: ChannelOrder
    public let reader: ImageReader
    /// The image input of both models (they must take the same).
    public let input: ImageInput
    /// COCO ground truth of the images, to score both models' detections against.
    public let annotations: COCOInstances?

    public init(
        reference: IRGraph, model: IRGraph, dataset: CalibrationDataset, threads: Int, interpolation: Interpolation,
        channelOrder: ChannelOrder, reader: ImageReader, input: ImageInput, annotations: COCOInstances? = nil
    ) {
        self.annotations = annotations
        self.reference = reference
        self.model = model
        self.dataset = dataset
        self.threads = threads
        self.interpolation = interpolation
        self.channelOrder = channelOrder
        self.reader = reader
        self.input = input
    }

    /// Runs every image through both models; `progress` gets the number of images done.
    /// - Throws: `IRError.invalidNetwork` when the models do not have the same outputs or
    ///   detector inputs, and OpenVINO's errors.
    public func run(progress: (Int) -> Void = { _ in }) throws -> EvaluationReport {
        let referenceTensors = try Self.comparedTensors(reference)
        let modelTensors = try Self.comparedTensors(model)
        guard referenceTensors.map(\.name) == modelTensors.map(\.name) else {
            throw IRError.invalidNetwork(
                "the models do not have the same outputs: \(referenceTensors.map(\.name)) and \(modelTensors.map(\.name))")
        }
        let runtime = try OpenVINORuntime()
        let referenceProbe = try ActivationProbe(graph: reference, tensors: referenceTensors.compactMap(\.probe))
        let modelProbe = try ActivationProbe(graph: model, tensors: modelTensors.compactMap(\.probe))
        // Both with profiling, so the int8 kernels can be counted (and timing stays alike).
        let referenceInference = try FP32Inference(
            graph: referenceProbe.graph, runtime: runtime, threads: threads, profiling: true, input: input)
        let modelInference = try FP32Inference(graph: modelProbe.graph, runtime: runtime, threads: threads, profiling: true, input: input)
        var noise = [QuantizationNoise](repeating: QuantizationNoise(), count: referenceTensors.count)
        var agreements = [Int](repeating: 0, count: referenceTensors.count)
        var rows = [Int](repeating: 0, count: referenceTensors.count)
        var seconds = (reference: 0.0, model: 0.0)
        let detectionOutputs = Self.detectionOutputs(reference)
        var detections = (reference: [[Detection]](), model: [[Detection]]())
        var coco = (truth: [[Detection]](), reference: [[Detection]](), model: [[Detection]]())
        let annotated = try annotations.map { annotations in
            guard detectionOutputs != nil else {
                throw IRError.invalidNetwork("--annotations needs a detector with bboxes, labels and scores outputs")
            }
            let missing = dataset.names.filter { annotations.images[URL(fileURLWithPath: $0).lastPathComponent] == nil }
            guard missing.isEmpty else {
                throw IRError.invalidNetwork(
                    "\(missing.count) images are not in the annotations: \(missing.prefix(5).joined(separator: ", "))")
            }
            return annotations
        }
        let clock = ContinuousClock()
        progress(0)
        for index in 0..<dataset.count {
            let image = try dataset.values(at: index, for: input, interpolation: interpolation, channelOrder: channelOrder, reader: reader)
            let values = Array([[Float]](repeating: image, count: input.batch).joined())
            let referenceStart = clock.now
            let referenceOutputs = try referenceInference.infer(values)
            let referenceTime = (clock.now - referenceStart) / .seconds(1)
            let modelStart = clock.now
            let modelOutputs = try modelInference.infer(values)
            let modelTime = (clock.now - modelStart) / .seconds(1)
            // The first image pays for warming up; it is timed only when it is the only one.
            if index > 0 || dataset.count == 1 {
                seconds.reference += referenceTime
                seconds.model += modelTime
            }
            if let outputs = detectionOutputs {
                // As ground truth, FP32's detections are cut the way COCO cuts detections
                // (the best 100 of a class in an image), so a model agrees fully with itself.
                let expected = Self.detections(referenceOutputs, at: outputs)
                let truth = Dictionary(grouping: expected, by: \.label)
                    .sorted { $0.key < $1.key }
                    .flatMap { $0.value.sorted { $0.score > $1.score }.prefix(100) }
                detections.reference.append(truth)
                let found = Self.detections(modelOutputs, at: outputs)
                detections.model.append(found)
                if let annotated, let entry = annotated.images[URL(fileURLWithPath: dataset.names[index]).lastPathComponent] {
                    coco.truth.append(annotated.groundTruth[entry.id] ?? [])
                    coco.reference.append(annotated.cocoDetections(expected, of: entry))
                    coco.model.append(annotated.cocoDetections(found, of: entry))
                }
            }
            for (slot, tensor) in referenceTensors.enumerated() {
                let position = tensor.output ?? referenceProbe.originalOutputs + (tensor.probeIndex ?? 0)
                guard let expected = referenceOutputs[position].floats, let found = modelOutputs[position].floats,
                    expected.count == found.count
                else { continue }
                noise[slot].add(reference: expected, test: found)
                if let classes = tensor.classes {
                    for row in 0..<expected.count / classes {
                        let range = row * classes..<(row + 1) * classes
                        if Self.argmax(expected, range) == Self.argmax(found, range) { agreements[slot] += 1 }
                        rows[slot] += 1
                    }
                }
            }
            progress(index + 1)
        }
        let timed = Double(dataset.count > 1 ? dataset.count - 1 : 1)
        let int8Operations = { (inference: FP32Inference) in
            try inference.profilingInfo().filter { entry in
                let kernel = entry.executionType.uppercased()
                return entry.executed && (kernel.contains("I8") || kernel.contains("U8"))
            }.count
        }
        return EvaluationReport(
            images: dataset.count,
            tensors: referenceTensors.enumerated().map { slot, tensor in
                EvaluationReport.Tensor(
                    name: tensor.name, feedsNonMaxSuppression: tensor.probe != nil, sqnr: noise[slot].decibels,
                    elements: noise[slot].count, nonFinite: noise[slot].nonFinite,
                    top1Agreement: rows[slot] > 0 ? Double(agreements[slot]) / Double(rows[slot]) : nil)
            },
            detectionAgreement: detectionOutputs == nil
                ? nil
                : AveragePrecision.meanAveragePrecision(detections: detections.model, groundTruth: detections.reference),
            cocoMeanAveragePrecision: annotated == nil
                ? nil
                : EvaluationReport.COCOScores(
                    reference: AveragePrecision.meanAveragePrecision(detections: coco.reference, groundTruth: coco.truth),
                    model: AveragePrecision.meanAveragePrecision(detections: coco.model, groundTruth: coco.truth)),
            referenceSecondsPerImage: seconds.reference / timed, modelSecondsPerImage: seconds.model / timed,
            referenceInt8Operations: try int8Operations(referenceInference), modelInt8Operations: try int8Operations(modelInference))
    }

    /// The output positions of `bboxes`, `labels` and `scores`, when the model has all three.
    static func detectionOutputs(_ graph: IRGraph) -> (boxes: Int, labels: Int, scores: Int)? {
        var positions = [String: Int]()
        for (position, result) in graph.layers(ofType: "Result").enumerated() {
            guard let source = graph.producer(of: PortReference(layer: result.id, port: result.inputs[0].id)) else { continue }
            for name in graph.port(source)?.names ?? [] { positions[name] = position }
        }
        guard let boxes = positions["bboxes"], let labels = positions["labels"], let scores = positions["scores"] else { return nil }
        return (boxes, labels, scores)
    }

    /// One image's detections from the detection outputs: rows with a positive finite score.
    static func detections(_ outputs: [TensorView], at positions: (boxes: Int, labels: Int, scores: Int)) -> [Detection] {
        let boxes = outputs[positions.boxes].doubles()
        let labels = outputs[positions.labels].doubles()
        let scores = outputs[positions.scores].doubles()
        return (0..<min(scores.count, labels.count, boxes.count / 4)).compactMap { row in
            guard scores[row].isFinite, scores[row] > 0 else { return nil }
            return Detection(
                x0: boxes[row * 4], y0: boxes[row * 4 + 1], x1: boxes[row * 4 + 2], y1: boxes[row * 4 + 3], label: Int(labels[row]),
                score: scores[row])
        }
    }

    /// A tensor compared between the two models: a model output (by Result position) or a
    /// probed input of a NonMaxSuppression.
    struct ComparedTensor {
        let name: String
        /// Position among the model's outputs, for an output.
        let output: Int?
        /// The probed port, for an NMS input, and its position among the probes.
        let probe: PortReference?
        let probeIndex: Int?
        /// The class count of a classifier-like output `[N, K]`, for top-1 agreement.
        let classes: Int?
    }

    /// The float outputs of `graph` in Result order, then the boxes and scores inputs of
    /// each NonMaxSuppression (by layer name, so the int8 model's match the reference's).
    static func comparedTensors(_ graph: IRGraph) throws -> [ComparedTensor] {
        var tensors = [ComparedTensor]()
        for (position, result) in graph.layers(ofType: "Result").enumerated() {
            guard let source = graph.producer(of: PortReference(layer: result.id, port: result.inputs[0].id)),
                let port = graph.port(source), port.precision?.isFloatingPoint ?? true
            else { continue }
            let name = port.names.first ?? result.name
            let dims = port.dims ?? []
            let classes = dims.count == 2 && dims[1] > 1 ? dims[1] : nil
            tensors.append(ComparedTensor(name: name, output: position, probe: nil, probeIndex: nil, classes: classes))
        }
        var probes = 0
        for nms in graph.layers.filter({ $0.type == "NonMaxSuppression" }).sorted(by: { $0.name < $1.name }) {
            for (input, role) in zip(nms.inputs.prefix(2), ["boxes", "scores"]) {
                guard let source = graph.producer(of: PortReference(layer: nms.id, port: input.id)) else { continue }
                tensors.append(
                    ComparedTensor(name: "\(nms.name) \(role)", output: nil, probe: source, probeIndex: probes, classes: nil))
                probes += 1
            }
        }
        return tensors
    }

    private static func argmax(_ values: UnsafeBufferPointer<Float>, _ range: Range<Int>) -> Int {
        range.max { values[$0] < values[$1] } ?? range.lowerBound
    }
}

/// What `calib eval` found: per compared tensor its SQNR, and the latency of both models.
public struct EvaluationReport: Sendable, Encodable {
    public struct Tensor: Sendable, Encodable {
        public let name: String
        /// True for the boxes or scores that feed a NonMaxSuppression.
        public let feedsNonMaxSuppression: Bool
        /// Signal-to-quantization-noise ratio, dB (+inf when identical).
        public let sqnr: Double
        public let elements: Int
        /// Element pairs left out because either value was NaN or infinite.
        public let nonFinite: Int
        /// Share of rows whose largest value is at the same class, for `[N, K]` outputs.
        public let top1Agreement: Double?
    }

    public let images: Int
    public let tensors: [Tensor]
    /// COCO mAP@[.5:.95] of the int8 detections with the FP32 detections as ground truth,
    /// for a detector with `bboxes`, `labels` and `scores` outputs (nil otherwise, or when
    /// FP32 detected nothing).
    public let detectionAgreement: Double?
    /// COCO mAP@[.5:.95] of both models against `--annotations` (nil when not given).
    public let cocoMeanAveragePrecision: COCOScores?

    /// Box mAP of the reference and of the int8 model (nil without any ground truth).
    public struct COCOScores: Sendable, Encodable {
        public let reference: Double?
        public let model: Double?
    }
    public let referenceSecondsPerImage: Double
    public let modelSecondsPerImage: Double
    /// Operations OpenVINO ran on I8/U8 kernels for the last image (profiling).
    public let referenceInt8Operations: Int
    public let modelInt8Operations: Int

    /// How much faster the int8 model runs than the reference.
    public var speedup: Double { modelSecondsPerImage > 0 ? referenceSecondsPerImage / modelSecondsPerImage : .nan }
}
