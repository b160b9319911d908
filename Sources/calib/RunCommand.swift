import ArgumentParser
import Coordinator
import Core
import Foundation
import Worker

/// `calib run`: calibrate a model on a dataset in this process and write the int8 IR.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Calibrate an FP32/FP16 IR on calibration images and write the int8 IR."
    )

    @Option(help: "Model .xml path (the .bin next to it).")
    var model: String

    @OptionGroup var data: DataOptions

    @Option(help: "Output .xml path of the int8 IR (the .bin is written next to it).")
    var output: String

    @Option(help: "Range method: pot (default), minmax, quantile, kl, mse.")
    var method: CalibrationMethod = .pot

    @Option(help: "Preset: performance (symmetric activations) or mixed (asymmetric).")
    var preset: QuantizationPreset = .performance

    @Option(help: "For --method quantile: the share of values cut off each end.")
    var outlierProbability = 1e-4

    @Option(help: "OpenVINO inference threads (0: all cores).")
    var threads = 0

    @Option(help: "Layer name to leave in float (repeatable).")
    var ignored: [String] = []

    @Option(help: "Layer type to leave in float (repeatable).")
    var ignoredType: [String] = []

    @Flag(help: "Write FakeQuantize on float weights instead of int8 weights.")
    var keepFloatWeights = false

    @Option(help: "Save the collected statistics to this file.")
    var saveStats: String?

    @Option(help: "Pick ranges from this statistics file instead of running inference.")
    var loadStats: String?

    func run() throws {
        let started = Date()
        let graph = try IRFiles.read(xmlPath: model)
        let calibration = try CalibrationRun(graph: graph, ignoredNames: ignored, ignoredTypes: ignoredType)
        let statistics: CalibrationStatistics
        if let loadStats {
            statistics = try CalibrationStatistics(decoding: AtomicFile.read(loadStats))
        } else {
            let dataset = try data.dataset()
            var bar = ProgressBar(total: dataset.count, label: "statistics")
            statistics = try calibration.collect(
                dataset: dataset, threads: threads, interpolation: data.interpolation, channelOrder: data.channelOrder
            ) { bar.update(done: $0) }
        }
        if let saveStats {
            try AtomicFile.write(statistics.encoded(), to: saveStats)
        }
        let selector = RangeSelector(method: method, preset: preset, outlierProbability: outlierProbability)
        let (quantized, ranges) = try calibration.quantize(
            statistics: statistics, selector: selector, keepFloatWeights: keepFloatWeights)
        try IRFiles.write(quantized, xmlPath: output)
        print(
            CalibrationSummary(
                plan: calibration.plan, ranges: ranges, images: statistics.imageIndices.count, method: method, preset: preset,
                seconds: Date().timeIntervalSince(started), output: output, weightsBytes: quantized.weights.count
            ).render())
    }
}

extension CalibrationMethod: ExpressibleByArgument {}
extension QuantizationPreset: ExpressibleByArgument {}
