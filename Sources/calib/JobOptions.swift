import ArgumentParser
import Coordinator
import Core
import Foundation
import Protocol
import Worker

/// The options that define a calibration job, shared by `calib run` and `calib coordinator`,
/// and the job's last step: pick ranges, write the int8 IR, print the summary.
struct JobOptions: ParsableArguments {
    @Option(
        name: [.customShort("c"), .long],
        help: ArgumentHelp(
            "A POT configuration file (pot -c CONFIG.json) giving the model, images and quantization settings.",
            discussion: "Needs --output-dir; the int8 IR goes to DIR/optimized/<model_name>.xml, as POT puts it."))
    var config: String?

    @Option(help: "With -c: the folder the int8 IR is written under (DIR/optimized/).")
    var outputDir: String?

    @Option(name: .customLong("model"), help: "Model .xml path (the .bin next to it).")
    var modelPath: String?

    @OptionGroup var data: DataOptions

    @Option(name: .customLong("output"), help: "Output .xml path of the int8 IR (the .bin is written next to it).")
    var outputPath: String?

    @Option(
        name: .customLong("method"),
        help: ArgumentHelp(
            "Range method: pot (default), minmax, quantile, kl, mse.",
            discussion: "pot and minmax need only each tensor's minimum and maximum per image, which the model computes "
                + "inside the graph; quantile, kl and mse need histograms of whole tensors, copied out of OpenVINO "
                + "and binned. What each costs over plain inference depends on the machine: see the README's "
                + "'What statistics cost' and run calib benchmark."))
    var methodChoice: CalibrationMethod?

    @Option(name: .customLong("preset"), help: "Preset: performance (default; symmetric activations) or mixed (asymmetric).")
    var presetChoice: QuantizationPreset?

    @Option(name: .customLong("outlier-probability"), parsing: .unconditional, help: "For --method quantile: the share of values cut off each end (default 1e-4).")
    var outlierProbabilityChoice: Double?

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

    @Option(help: "Save the collected statistics to this file (with histograms, so that any method can use them later).")
    var saveStats: String?

    @Flag(help: "Collect histograms of whole tensors even when the method does not need them, for the report's plots.")
    var histograms = false

    @Option(help: "Pick ranges from this statistics file instead of running inference.")
    var loadStats: String?

    /// The model, the output and the range settings in effect (with `-c`, once resolved by `withResolvedJob`).
    var model: String { modelPath ?? "" }
    var output: String { outputPath ?? "" }
    var method: CalibrationMethod { methodChoice ?? .pot }
    var preset: QuantizationPreset { presetChoice ?? .performance }
    var outlierProbability: Double { outlierProbabilityChoice ?? 1e-4 }
    /// Histograms only when the method, `--save-stats` or `--histograms` needs them.
    var collection: StatisticsCollection {
        .needed(for: method, savingStatistics: saveStats != nil, histogramsRequested: histograms)
    }

    func validate() throws {
        try OptionRange.require(
            outlierProbability >= 0 && outlierProbability < 0.5, "--outlier-probability", "at least 0 and below 0.5", outlierProbability)
        if outlierProbabilityChoice != nil, config == nil, method != .quantile {
            throw ValidationError("--outlier-probability goes with --method quantile, not \(method.rawValue)")
        }
        if loadStats != nil, config == nil, !data.givenWithConfiguration.isEmpty {
            throw ValidationError(
                "\(data.givenWithConfiguration.joined(separator: ", ")) cannot be given with --load-stats: no image is read, the statistics file is used whole")
        }
        if config == nil {
            guard let modelPath else { throw ValidationError("--model is required (or -c CONFIG.json)") }
            for (suffix, advice) in [(".bin", "the .bin is read next to it"), (".onnx", "convert it first: calib convert"), (".tflite", "convert it first: calib convert")]
            where modelPath.lowercased().hasSuffix(suffix) {
                throw ValidationError("--model takes the IR's .xml, not '\(modelPath)' (\(advice))")
            }
            guard outputPath != nil else { throw ValidationError("--output is required (or -c CONFIG.json with --output-dir)") }
            guard outputDir == nil else { throw ValidationError("--output-dir goes with -c; without it, give --output") }
        } else {
            guard outputDir != nil else { throw ValidationError("-c needs --output-dir: the int8 IR goes to DIR/optimized/<model_name>.xml") }
            let given = [("--model", modelPath != nil), ("--output", outputPath != nil)].filter(\.1).map(\.0)
                + data.givenWithConfiguration + [
                ("--method", methodChoice != nil), ("--preset", presetChoice != nil),
                ("--outlier-probability", outlierProbabilityChoice != nil), ("--ignored", !ignored.isEmpty),
                ("--ignored-type", !ignoredType.isEmpty), ("--no-bias-correction", noBiasCorrection),
            ].filter(\.1).map(\.0)
            guard given.isEmpty else {
                throw ValidationError("\(given.joined(separator: ", ")) cannot be given with -c: the configuration sets them")
            }
        }
    }

    /// The job with a POT configuration's settings filled in (itself without `-c`):
    /// model, output `DIR/optimized/<model_name>.xml`, images (`data_source`, the COCO
    /// annotation file, `stat_subset_size`), reader (OpenCV's gives BGR, as POT feeds it),
    /// resize interpolation, preset, range method, ignored layers, bias correction.
    /// Throws `CommandFailure` as `ConfigurationFile.read` does. Creates `DIR/optimized`.
    private func resolved(with settings: POTConfiguration?) throws -> JobOptions {
        guard let outputDir, let settings else { return self }
        var job = self
        job.modelPath = settings.model
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: outputDir, isDirectory: &isDirectory), !isDirectory.boolValue {
            throw CommandFailure("\(outputDir): is a file; --output-dir names the folder the results go under")
        }
        let folder = URL(fileURLWithPath: outputDir).appendingPathComponent("optimized")
        do throws(SystemCallError) {
            try PosixFile.createFolders(folder.path)
        } catch {
            throw CommandFailure("\(error.path): cannot be created: \(error.reason)")
        }
        job.outputPath = folder.appendingPathComponent("\(settings.modelName).xml").path
        job.data.apply(settings)
        job.data.subset = settings.subsetSize
        job.presetChoice = settings.preset
        job.methodChoice = settings.method
        job.outlierProbabilityChoice = settings.outlierProbability
        job.ignored = settings.ignoredNames
        job.ignoredType = settings.ignoredTypes
        job.noBiasCorrection = !settings.biasCorrection
        return job
    }

    /// Runs `body` with the job resolved against the `-c` configuration (read once; nil
    /// without `-c`). When it fails, the output folders resolving created (`DIR`,
    /// `DIR/optimized`) are removed again if nothing was written in them.
    func withResolvedJob(_ body: (JobOptions, POTConfiguration?) throws -> Void) throws {
        let created = outputDir.map { directory in
            [URL(fileURLWithPath: directory).appendingPathComponent("optimized").path, directory]
                .filter { !FileManager.default.fileExists(atPath: $0) }
        } ?? []
        do {
            let settings = try config.map(ConfigurationFile.read)
            try body(try resolved(with: settings), settings)
        } catch {
            for folder in created where (try? FileManager.default.contentsOfDirectory(atPath: folder))?.isEmpty == true {
                try? FileManager.default.removeItem(atPath: folder)
            }
            throw error
        }
    }

    /// The report page written next to the int8 IR, named after it (`q.xml`: `q.report.html`),
    /// so that calibrations into one folder keep a report each.
    var reportPath: String { String(output.dropLast(".xml".count)) + ".report.html" }

    /// Where the journal of a distributed run goes unless `--journal` says otherwise.
    var implicitJournalPath: String { output + ".journal" }

    /// Refuses, before any work, an output that would replace the model or cannot be
    /// written, a report page that cannot be written, and a statistics file that cannot
    /// be written.
    func checkOutputs() throws {
        try OutputLocation.checkIR(output: output, model: model)
        try OutputLocation.checkWritable(reportPath)
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

    /// Reads the model and plans it. With the `-c` `settings`, `ignored.scope` names the
    /// model does not have are left out with a note (POT ignores them silently; the seed's
    /// names are those of MLPerf's IR), and the configuration's resize must be the model's
    /// input size.
    func calibration(configuration settings: POTConfiguration? = nil) throws -> CalibrationPlan {
        let graph = try settings == nil
            ? IRFiles.read(xmlPath: model) : CommandFailure.reading("\(config ?? ""): model.model") { try IRFiles.read(xmlPath: model) }
        var names = ignored
        if settings != nil {
            let missing = names.filter { graph.layer(named: $0) == nil }
            if !missing.isEmpty {
                StandardErrorLog.logger.notice("\(config ?? ""): ignored.scope names not in the model, left out: \(missing.joined(separator: ", "))")
                names.removeAll { missing.contains($0) }
            }
        }
        let absentTypes = ignoredType.filter { graph.layers(ofType: $0).isEmpty }
        if !absentTypes.isEmpty {
            let source = settings == nil ? "--ignored-type" : "\(config ?? ""): ignored.operations"
            StandardErrorLog.logger.notice("\(source): the model has no layer of type \(absentTypes.joined(separator: ", ")); nothing is left out for it")
        }
        let run = try CalibrationPlan(
            graph: graph, ignoredNames: names, ignoredTypes: ignoredType, inputShape: data.inputShape, layout: data.layout,
            collection: collection)
        if let resize = settings?.resize, (resize.width, resize.height) != (run.input.width, run.input.height) {
            throw CommandFailure(
                "\(config ?? ""): preprocessing resizes to \(resize.width)x\(resize.height) but the model takes "
                    + "\(run.input.width)x\(run.input.height)")
        }
        return run
    }

    /// Saves statistics if asked, quantizes, writes the IR atomically and its report page
    /// next to it (with each worker's share from `cluster`, for a distributed run), and
    /// prints the summary.
    func finish(
        _ calibration: CalibrationPlan, statistics: CalibrationStatistics, started: Date, cluster: ClusterStatus? = nil,
        timeline: [WorkerEvent] = []
    ) throws {
        if let saveStats {
            try AtomicFile.write(statistics.encoded(), to: saveStats)
        }
        let selector = RangeSelector(method: method, preset: preset, outlierProbability: outlierProbability)
        let (quantized, ranges, corrections) = try calibration.quantize(
            statistics: statistics, selector: selector, keepFloatWeights: keepFloatWeights, biasCorrection: !noBiasCorrection)
        try IRFiles.write(quantized, xmlPath: output)
        let report = CalibrationReport(
            model: model, output: output, commandLine: CommandLine.arguments.joined(separator: " "), method: method, preset: preset,
            images: statistics.imageIndices.count, seconds: Date().timeIntervalSince(started), weightTensors: calibration.quantization.weights.count,
            tensors: zip(calibration.quantization.activations, zip(statistics.tensors, ranges)).map { activation, pair in
                TensorRangeReport(
                    name: activation.name, statistics: pair.0, range: pair.1, selector: selector,
                    hasHistogram: calibration.collection == .histograms)
            },
            biasChanges: noBiasCorrection ? [] : corrections.map {
                .init(layer: calibration.graph.layer($0.layer.layer)?.name ?? "?", isApplied: $0.isApplied,
                      largestRelativeChange: $0.largestRelativeChange)
            },
            workers: cluster?.workers.map {
                .init(id: $0.id, host: $0.host, state: $0.state.rawValue, images: Int($0.imagesDone), imagesPerSecond: $0.imagesPerSecond,
                      errors: Int($0.errors))
            },
            timeline: timeline)
        try AtomicFile.write(Array(report.html().utf8), to: reportPath)
        print(
            CalibrationSummary(
                plan: calibration.quantization, ranges: ranges, images: statistics.imageIndices.count, method: method, preset: preset,
                seconds: Date().timeIntervalSince(started), output: output, weightsBytes: quantized.weights.count, report: reportPath,
                nonFinite: statistics.nonFiniteCounts,
                biasCorrections: noBiasCorrection
                    ? nil : corrections.map { (calibration.graph.layer($0.layer.layer)?.name ?? "?", $0.isApplied) },
                instructionSets: cluster.map(Self.instructionSetNote)
            ).render())
    }

    /// Which instruction set the workers' OpenVINO ran on, and whether the output depends
    /// on which worker computed which image.
    static func instructionSetNote(_ cluster: ClusterStatus) -> String {
        guard cluster.instructionSet.isEmpty else {
            return "OpenVINO limited to instruction set \(cluster.instructionSet) on every worker"
        }
        let used = Dictionary(grouping: cluster.workers.filter { $0.imagesDone > 0 }, by: \.instructionSet)
        guard used.count > 1 else {
            return "all on instruction set \(used.keys.first ?? "?") (--allow-mixed-isa)"
        }
        let counts = used.keys.sorted().map { "\($0) on \(used[$0]!.count)" }.joined(separator: ", ")
        return "on different instruction sets (\(counts); --allow-mixed-isa): the output may depend on which worker computed which image"
    }
}
