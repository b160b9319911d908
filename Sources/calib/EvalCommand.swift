import ArgumentParser
import Coordinator
import Core
import Foundation
import Worker

/// `calib eval`: how close an int8 IR is to its FP32 reference, and how much faster.
struct EvalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Compare an int8 IR with its FP32 reference: SQNR per output, top-1 agreement, latency.",
        discussion: """
            Both models run the same images with the f32 precision hint and the same threads. For a detector, the \
            boxes and scores that feed each NonMaxSuppression are compared too, since the outputs after NMS vary in \
            length and order. The first image warms both models up and is not timed (unless it is the only one). \
            With --annotations (a COCO instances file; detectors with bboxes, labels and scores outputs, boxes \
            0...1, labels 1...K) it runs that file's images and reports both models' COCO box mAP@[.5:.95]. \
            With -c, a POT configuration gives the reference (its model) and the images (its first dataset: \
            data_source, annotation file, reader, resize interpolation); all of the dataset's images are run.
            """
    )

    @Option(name: [.customShort("c"), .long], help: "A POT configuration: its model is the reference, its dataset the images.")
    var config: String?

    @Option(name: .customLong("reference"), help: "The FP32 (or FP16) reference .xml.")
    var referencePath: String?

    @Option(help: "The int8 .xml to evaluate.")
    var model: String

    @OptionGroup var data: DataOptions

    @Option(parsing: .unconditional, help: "Use only the first N images (after --subset).")
    var count: Int?

    @Option(parsing: .unconditional, help: "OpenVINO inference threads for each model (0: all cores).")
    var threads = 0

    @Flag(help: "Print the report as JSON.")
    var json = false

    func validate() throws {
        if config == nil {
            guard referencePath != nil else { throw ValidationError("--reference is required (or -c CONFIG.json)") }
        } else {
            let given = (referencePath != nil ? ["--reference"] : []) + data.givenWithConfiguration
            guard given.isEmpty else {
                throw ValidationError("\(given.joined(separator: ", ")) cannot be given with -c: the configuration sets them")
            }
        }
        try OptionRange.threads(threads)
        if let count { try OptionRange.require(count >= 1, "--count", "at least 1", count) }
    }

    func run() throws {
        var data = self.data
        var reference = referencePath ?? ""
        if let config {
            let settings = try ConfigurationFile.read(config)
            data.apply(settings)
            reference = settings.model
        }
        let referenceGraph = try IRFiles.read(xmlPath: reference)
        let modelGraph = try IRFiles.read(xmlPath: model)
        let annotations = try data.instances()
        var dataset = try data.dataset(instances: annotations)
        if let count { dataset = dataset.subset(count) }
        let input = try ImageInput(graph: referenceGraph, shape: data.inputShape, layout: data.layout)
        let modelInput = try ImageInput(graph: modelGraph, shape: data.inputShape, layout: data.layout)
        guard modelInput.shape == input.shape else {
            throw CommandFailure(
                "\(model) takes input \(modelInput.shape) but the reference \(reference) takes \(input.shape): "
                    + "eval compares an int8 IR with the FP32 IR it was calibrated from")
        }
        if !referenceGraph.layers(ofType: "FakeQuantize").isEmpty, modelGraph.layers(ofType: "FakeQuantize").isEmpty {
            StandardErrorLog.logger.notice(
                "the reference \(reference) has FakeQuantize layers and \(model) none: are --reference and --model swapped?")
        }
        let bar = ProgressBar(total: dataset.count, label: "eval")
        let report = try EvaluationRun(
            reference: referenceGraph, model: modelGraph, dataset: dataset, threads: threads, interpolation: data.interpolation,
            channelOrder: data.channelOrder, reader: data.reader, input: input,
            annotations: annotations
        ).run { bar.update(done: $0) }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(render(report, reference: reference))
        }
    }

    private func render(_ report: EvaluationReport, reference: String) -> String {
        let width = min(max(report.tensors.map(\.name.count).max() ?? 6, 6), 48)
        var lines = [
            "evaluated \(report.images) images: int8 \(model) against FP32 \(reference) (OpenVINO \(OpenVINORuntime.version), CPU)",
            "  " + "tensor".padding(toLength: width, withPad: " ", startingAt: 0) + "    SQNR dB  top-1",
        ]
        for tensor in report.tensors {
            let name = tensor.name.count > width ? "…" + tensor.name.suffix(width - 1) : tensor.name
            let top1 = tensor.top1Agreement.map { String(format: "%5.1f %%", $0 * 100) } ?? ""
            let note = tensor.feedsNonMaxSuppression ? "  (feeds NMS)" : ""
            let skipped = tensor.nonFinite > 0 ? "  (\(tensor.nonFinite) NaN/inf pairs left out)" : ""
            lines.append(
                "  " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: " %10.2f  ", tensor.sqnr) + top1 + note + skipped)
        }
        if let coco = report.cocoMeanAveragePrecision {
            let format = { (value: Double?) in value.map { String(format: "%.4f", $0) } ?? "no ground truth" }
            lines.append("COCO box mAP@[.5:.95]: FP32 \(format(coco.reference)), int8 \(format(coco.model))")
        }
        if let agreement = report.detectionAgreement {
            lines.append(String(format: "detection agreement: mAP@[.5:.95] %.3f of the int8 detections against FP32's", agreement))
        }
        lines.append("int8 kernels (OpenVINO profiling): FP32 model \(report.referenceInt8Operations), int8 model \(report.modelInt8Operations)")
        lines.append(
            String(
                format: "latency: FP32 %.3f s/image, int8 %.3f s/image, speed-up %.2fx", report.referenceSecondsPerImage,
                report.modelSecondsPerImage, report.speedup))
        return lines.joined(separator: "\n")
    }
}
