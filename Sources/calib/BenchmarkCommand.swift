import ArgumentParser
import Coordinator
import Core
import Foundation
import Protocol
import Worker

/// `calib benchmark`: what statistics collection costs over plain FP32 inference of the
/// same IR with the same threads, measured in one run, plus the histogram kernel's speed
/// and the process's peak memory.
struct BenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark",
        abstract: "Measure statistics collection against plain FP32 inference of the same model."
    )

    @Option(help: "Model .xml path.")
    var model: String

    @OptionGroup var data: DataOptions

    @Option(parsing: .unconditional, help: "OpenVINO inference threads (0: all cores).")
    var threads = 0

    @Option(parsing: .unconditional, help: "Rounds: each mode is timed once per round, between two passes of plain inference, and its ratio is the median over the rounds.")
    var rounds = 2

    @Flag(help: "Also profile the plain and the probed model per node type (OpenVINO's per-node profiling, every image once).")
    var profile = false

    func validate() throws {
        try OptionRange.threads(threads)
        try OptionRange.require(rounds >= 1, "--rounds", "at least 1", rounds)
    }

    func run() throws {
        let graph = try IRFiles.read(xmlPath: model)
        let dataset = try data.dataset()
        let calibration = try CalibrationPlan(graph: graph, inputShape: data.inputShape, layout: data.layout)
        let runtime = try OpenVINORuntime()
        let plain = try FP32Inference(graph: graph, runtime: runtime, threads: threads, input: calibration.input)
        let images = try (0..<dataset.count).map {
            try dataset.values(
                at: $0, for: calibration.input, interpolation: data.interpolation, channelOrder: data.channelOrder,
                reader: data.reader)
        }
        // A batch input gets each image in every slot.
        let inputs = images.map { Array([[Float]](repeating: $0, count: calibration.input.batch).joined()) }
        _ = try plain.infer(inputs[0])  // warm-up
        /// A pass of `inference` over every image, in seconds per image.
        func pass(_ inference: FP32Inference) -> () throws -> Double {
            { try Self.seconds { for input in inputs { _ = try inference.infer(input) } } / Double(inputs.count) }
        }

        // The probed model alone (as the collector probes it): what copying whole tensors out
        // costs before any statistics.
        let tensors = calibration.quantization.activations.map(\.tensor)
        let reductions = ChannelReduction.collected(plan: calibration.quantization, biasCorrection: calibration.biasCorrection)
        let probe = try ActivationProbe(graph: graph, tensors: tensors, channelReductions: reductions)
        let probed = try FP32Inference(graph: probe.graph, runtime: runtime, threads: threads, input: calibration.input)
        _ = try probed.infer(inputs[0])

        var collected: [StatisticsCollection: CalibrationStatistics] = [:]
        let collectionPasses = try StatisticsCollection.allCases.map { collection in
            let collector = try StatisticsCollector(
                graph: graph, plan: calibration.quantization, biasCorrection: calibration.biasCorrection, runtime: runtime,
                threads: threads, input: calibration.input, collection: collection)
            var warmUp = calibration.emptyStatistics()
            try collector.collect(images: [0], input: { images[$0] }, into: &warmUp)
            return {
                var statistics = calibration.emptyStatistics()
                let seconds = try Self.seconds {
                    try collector.collect(images: Array(images.indices), input: { images[$0] }, into: &statistics)
                } / Double(images.count)
                collected[collection] = statistics
                return seconds
            } as () throws -> Double
        }
        let timings = try BracketedTimings(rounds: rounds, plain: pass(plain), modes: collectionPasses + [pass(probed)])

        let kernel = try Self.histogramThroughput(of: probed.infer(inputs[0]).dropFirst(probe.originalOutputs).prefix(probe.tensors.count))
        let whole = collected[.histograms]!
        let values = whole.tensors.reduce(0) { $0 + Int($1.histogram.count) } / max(inputs.count, 1)
        let histogramBytes = whole.tensors.reduce(0) { $0 + $1.histogram.memoryBytes }
        let sameExtremes = zip(collected[.extremes]!.tensors, whole.tensors).allSatisfy { $0.perImage == $1.perImage }
        let threadText = threads == 0 ? "all" : "\(threads)"
        print("model \(model): \(calibration.quantization.activations.count) tensors probed, \(values / 1_000_000) M activations per image, \(inputs.count) images, \(threadText) threads")
        let plainSeconds = timings.plain.median
        print(String(format: "plain FP32 inference:     %.3f s/image (median of %d passes, %.3f to %.3f, taken between the others)",
                     plainSeconds, timings.plain.count, timings.plain.min()!, timings.plain.max()!))
        // In the order of the modes timed: the collections, then the probed model alone.
        let names = StatisticsCollection.allCases.map {
            $0 == .extremes
                ? ("collection, extremes:", " (pot, minmax)") : ("collection, histograms:", " (quantile, kl, mse, --save-stats, --histograms)")
        } + [("whole tensors, no stats:", "")]
        for (mode, (label, use)) in zip(timings.modes, names) {
            let ratios = mode.ratios.map { String(format: "%.3f", $0) }.joined(separator: ", ")
            print(label.padding(toLength: 26, withPad: " ", startingAt: 0)
                + String(format: "%.3f s/image, ratio %.3f", mode.medianSeconds, mode.medianRatio)
                + " (median; each round's: \(ratios))" + use)
        }
        print("per-image extremes:       " + (sameExtremes ? "identical in both collections" : "DIFFER between the collections"))
        print(String(format: "histogram kernel:         %.0f M elements/s on one core (the probed tensors of image 1, fastest of 5 passes)", kernel / 1e6))
        print(String(format: "histograms in memory:     %.1f MB for all tensors", Double(histogramBytes) / 1e6))
        print(String(format: "peak resident memory:     %.0f MB", ResourceUsage.peakResidentMegabytes))
        if profile {
            let extremesProbe = try ActivationProbe(graph: graph, tensors: tensors, channelReductions: reductions, collection: .extremes)
            let profiled = try [graph, extremesProbe.graph, probe.graph].map { model in
                let inference = try FP32Inference(graph: model, runtime: runtime, threads: threads, profiling: true, input: calibration.input)
                _ = try inference.infer(inputs[0])
                return try inputs.map { input in
                    _ = try inference.infer(input)
                    return try inference.profilingInfo()
                }
            }
            print("per node type, mean over \(inputs.count) images (after a warm-up), plain model against extremes reduced in the graph:")
            print(ProfileComparison(plain: profiled[0], probed: profiled[1]).render())
            print("plain model against whole tensors probed:")
            print(ProfileComparison(plain: profiled[0], probed: profiled[2]).render())
        }
    }

    private static func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = DispatchTime.now().uptimeNanoseconds
        try body()
        return Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
    }

    /// Elements per second `ActivationHistogram` counts on one core, over `tensors` (five
    /// passes, one histogram per tensor as the collector keeps them).
    private static func histogramThroughput(of tensors: ArraySlice<TensorView>) throws -> Double {
        let values = try tensors.map { tensor in
            guard let floats = tensor.floats else { throw ValidationError("a probed tensor is not f32") }
            return floats
        }
        var histograms = [ActivationHistogram](repeating: ActivationHistogram(), count: values.count)
        var counters = HistogramCounters()
        // The fastest of five passes: this shared machine's noise only ever slows a pass.
        let seconds = (0..<5).map { _ in
            Self.seconds {
                for (index, tensor) in values.enumerated() { histograms[index].add(tensor, counters: &counters) }
            }
        }.min()!
        return Double(values.reduce(0) { $0 + $1.count }) / seconds
    }
}
