import ArgumentParser
import Coordinator
import Core
import Foundation
import Worker

/// The options that define a calibration job, shared by `calib run` and `calib coordinator`,
/// and the job's last step: pick ranges, write the int8 IR, print the summary.
struct JobOptions: ParsableArguments {
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

    @Option(help: "Layer name to leave in float (repeatable).")
    var ignored: [String] = []

    @Option(help: "Layer type to leave in float (repeatable).")
    var ignoredType: [String] = []

    @Flag(help: "Write FakeQuantize on float weights instead of int8 weights.")
    var keepFloatWeights = false

    @Flag(help: ArgumentHelp(
        "Leave biases as they are (FastBiasCorrection is on by default, as in POT and NNCF).",
        discussion: "FastBiasCorrection shifts the bias of each Convolution and MatMul with int8 weights and a bias by the "
            + "mean error its int8 weights make on the FP32 per-channel means of its input (measured in the same "
            + "inference pass), so that its int8 output mean per channel matches FP32's; it skips a layer with a bias "
            + "of 0 or whose bias would change by 200 % or more, as NNCF does."))
    var noBiasCorrection = false

    @Option(help: "Save the collected statistics to this file.")
    var saveStats: String?

    @Option(help: "Pick ranges from this statistics file instead of running inference.")
    var loadStats: String?

    func validate() throws {
        try OptionRange.require(
            outlierProbability >= 0 && outlierProbability < 0.5, "--outlier-probability", "at least 0 and below 0.5", outlierProbability)
    }

    /// Where the journal of a distributed run goes unless `--journal` says otherwise.
    var implicitJournalPath: String { output + ".journal" }

    /// Refuses, before any work, an output that would replace the model or cannot be
    /// written, and a statistics file that cannot be written.
    func checkOutputs() throws {
        try OutputLocation.checkIR(output: output, model: model)
        if let saveStats {
            try OutputLocation.checkSideFile(
                saveStats, option: "--save-stats", kind: "calib statistics file", magic: CalibrationStatistics.magic,
                protected: protectedFiles)
        }
    }

    /// The files no side file (statistics, journal) may replace: the model and the output.
    var protectedFiles: [(path: String, role: String)] {
        [
            (model, "the input model"), (IRFiles.weightsPath(for: model), "the input model's weights"),
            (output, "the output IR"), (IRFiles.weightsPath(for: output), "the output IR's weights"),
        ]
    }

    /// Reads the model and plans it.
    func calibration() throws -> CalibrationRun {
        try CalibrationRun(
            graph: IRFiles.read(xmlPath: model), ignoredNames: ignored, ignoredTypes: ignoredType, inputShape: data.inputShape,
            layout: data.layout)
    }

    /// Saves statistics if asked, quantizes, writes the IR atomically and prints the summary.
    func finish(_ calibration: CalibrationRun, statistics: CalibrationStatistics, started: Date) throws {
        if let saveStats {
            try AtomicFile.write(statistics.encoded(), to: saveStats)
        }
        let selector = RangeSelector(method: method, preset: preset, outlierProbability: outlierProbability)
        let (quantized, ranges, corrections) = try calibration.quantize(
            statistics: statistics, selector: selector, keepFloatWeights: keepFloatWeights, biasCorrection: !noBiasCorrection)
        try IRFiles.write(quantized, xmlPath: output)
        print(
            CalibrationSummary(
                plan: calibration.plan, ranges: ranges, images: statistics.imageIndices.count, method: method, preset: preset,
                seconds: Date().timeIntervalSince(started), output: output, weightsBytes: quantized.weights.count,
                nonFinite: statistics.nonFiniteCounts,
                biasCorrections: noBiasCorrection
                    ? nil : corrections.map { (calibration.graph.layer($0.layer.layer)?.name ?? "?", $0.isApplied) }
            ).render())
    }
}
