import ArgumentParser
import Coordinator
import Core
import Foundation
import Worker

/// `calib infer`: FP32 inference over a calibration set, with optional per-layer ranges.
struct InferCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "infer",
        abstract: "Run FP32 inference over calibration images; show timing and activation ranges."
    )

    @OptionGroup var data: DataOptions

    @Option(help: "Model .xml path (the .bin next to it).")
    var model: String

    @Option(parsing: .unconditional, help: "OpenVINO inference threads (0: all cores).")
    var threads = 0

    func validate() throws {
        try OptionRange.threads(threads)
    }

    @Flag(help: "Print the value range of every intermediate activation.")
    var activations = false

    func run() throws {
        let graph = try IRFiles.read(xmlPath: model)
        let dataset = try data.dataset()
        let bar = ProgressBar(total: dataset.count, label: "infer")
        let report = try InferenceRun(
            graph: graph, dataset: dataset, threads: threads, interpolation: data.interpolation,
            channelOrder: data.channelOrder, reader: data.reader, probeActivations: activations,
            input: ImageInput(graph: graph, shape: data.inputShape, layout: data.layout)
        ).run { bar.update(done: $0) }
        if activations { print(ActivationTable(report.activations).render()) }
        print("model \(model): OpenVINO \(OpenVINORuntime.version), CPU, f32")
        for output in report.outputs { print("  output \(output.name) \(output.lastShape) (last image)") }
        let perImage = report.inferenceSeconds / Double(max(report.images, 1))
        print(String(
            format: "%d images in %.1f s; inference %.3f s/image (%.2f img/s)", report.images, report.totalSeconds,
            perImage, perImage > 0 ? 1 / perImage : 0))
    }
}
