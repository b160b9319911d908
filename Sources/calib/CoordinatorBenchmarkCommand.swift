import ArgumentParser
import Coordinator
import Core
import Foundation
import Protocol
import Worker

/// `calib benchmark-coordinator`: one coordinator against hundreds of simulated workers
/// in another process, which fetch the model (80 MB at any resolution) and return
/// statistics of the 1200x1200 model's size, to see whether one coordinator keeps up:
/// makespan against the ideal, its CPU per result, merge throughput, false deaths and
/// its peak memory.
struct CoordinatorBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark-coordinator",
        abstract: "Measure one coordinator serving many simulated workers."
    )

    @OptionGroup var load: SimulatedLoad

    @Flag(help: "Simulated workers have the model cached: no model transfer.")
    var modelCached = false

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calib-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let calibration = try CalibrationPlan(graph: SSDResNet34(resolution: load.resolution).makeGraph())
        let dataset = try Self.images(count: load.images, in: folder)
        let plan = ShardPlan(imageCount: load.images, size: load.shardSize)
        print("model: \(load.resolution)x\(load.resolution) example, \(calibration.quantization.activations.count) probed tensors, \(String(format: "%.1f", Double(calibration.graph.weights.count) / 1e6)) MB of weights")

        let node = try CoordinatorNode(
            run: calibration, dataset: DatasetImages(dataset: dataset), interpolation: .bilinear, channelOrder: .rgb, reader: .pillow, ignoredNames: [],
            ignoredTypes: [],
            options: .init(
                endpoint: "tcp://127.0.0.1:*", shardSize: load.shardSize,
                journalPath: folder.appendingPathComponent("benchmark.journal").path),
            logger: StandardErrorLog.logger)
        let simulator = Process()
        simulator.executableURL = try SelfExecutable.url
        simulator.arguments = ["simulated-workers", "--connect", node.boundEndpoint] + load.arguments + (modelCached ? ["--model-cached"] : [])
        try simulator.run()
        defer { if simulator.isRunning { simulator.terminate() } }
        print("\(load.workers) simulated workers started (process \(simulator.processIdentifier)); they precompute their results first")

        let threadBefore = ResourceUsage.threadCPUSeconds
        let processBefore = ResourceUsage.processCPUSeconds
        var started: Date?
        let bar = ProgressBar(total: load.images, label: "merged")
        _ = try node.serve(
            progress: { bar.update(done: $0.imagesDone, extra: "\($0.liveWorkers) worker\($0.liveWorkers == 1 ? "" : "s")") },
            abandon: {
                // The clock starts when the first worker says hello, after the simulator's precomputation.
                if started == nil, node.liveWorkerCount > 0 { started = Date() }
                return simulator.isRunning ? nil : "the simulated workers exited (status \(simulator.terminationStatus))"
            })
        let makespan = Date().timeIntervalSince(started ?? Date())
        let coordinatorCPU = ResourceUsage.threadCPUSeconds - threadBefore
        let processCPU = ResourceUsage.processCPUSeconds - processBefore
        // Told goodbye, the simulated workers end by themselves and report their own delay.
        let deadline = Date().addingTimeInterval(10)
        while simulator.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        simulator.terminate()
        simulator.waitUntilExit()

        let counters = node.counters
        let deaths = node.timeline.filter { $0.kind == .dead }.count
        let rounds = (plan.count + load.workers - 1) / load.workers
        let ideal = Double(rounds * load.shardSize) * load.secondsPerImage
        let results = max(counters.resultsAccepted, 1)
        print(String(format: "workers:               %d simulated, %.2f s per image, model ", load.workers, load.secondsPerImage)
            + (modelCached ? "cached" : "fetched from the coordinator"))
        print(String(format: "results merged:        %d (%.1f MB, %.2f MB each, %d duplicates)", counters.resultsAccepted, Double(counters.bytesAccepted) / 1e6, Double(counters.bytesAccepted) / 1e6 / Double(results), counters.duplicateResults))
        print(String(format: "model sent:            %.2f GB, at most %.1f MB in flight", Double(counters.modelBytesSent) / 1e9, Double(counters.peakModelBytesInFlight) / 1e6))
        let roundsText = rounds == 1 ? "1 round" : "\(rounds) rounds"
        print(String(format: "makespan:              %.2f s from the first hello (ideal %.2f s: ", makespan, ideal)
            + roundsText + String(format: " of compute) -> ratio %.2f", makespan / ideal))
        print(String(format: "serving:               %.2f s from the first shard handed out -> ratio %.2f", counters.servingSeconds, counters.servingSeconds / ideal))
        print(String(format: "drain after last result: %.2f s (merges still queued)", counters.drainSeconds))
        print("false deaths:          \(deaths) (workers declared dead; none is killed in this benchmark)")
        print(String(format: "network thread:        %.2f s CPU, %.2f ms per result", coordinatorCPU, coordinatorCPU * 1000 / Double(results)))
        print(String(format: "coordinator process:   %.2f s CPU, %.2f ms per result (network, merging, journal, ZeroMQ I/O)", processCPU, processCPU * 1000 / Double(results)))
        print(String(format: "merging:               %.2f s CPU over %d threads, %.0f MB/s per thread", counters.mergeSeconds, ProcessInfo.processInfo.activeProcessorCount, Double(counters.bytesAccepted) / 1e6 / max(counters.mergeSeconds, 1e-9)))
        let journaled = counters.resultsAccepted - counters.resultsNotJournaled
        let journalMegabytes = Double(counters.bytesAccepted) * Double(journaled) / Double(results) / 1e6
        print(String(format: "journal (write+fsync): %.2f s, %.0f MB/s; %d of %d results journaled", counters.journalSeconds,
            journalMegabytes / max(counters.journalSeconds, 1e-9), journaled, counters.resultsAccepted)
            + (journaled < counters.resultsAccepted ? " (the disk was behind; the rest were not waited for)" : ""))
        print(String(format: "coordinator peak RSS:  %.0f MB", ResourceUsage.peakResidentMegabytes))
        print(String(format: "simulator process:     %.2f s CPU on the same %d cores (its precomputation included)", ResourceUsage.childrenCPUSeconds, ProcessInfo.processInfo.activeProcessorCount))
    }

    /// `count` example images: eight written files, hard-linked under the other names.
    static func images(count: Int, in folder: URL) throws -> CalibrationDataset {
        let distinct = try ExampleImageWriter(directory: folder).write(count: min(count, 8))
        for index in distinct.count..<max(count, distinct.count) {
            try FileManager.default.linkItem(
                at: folder.appendingPathComponent(distinct[index % distinct.count]),
                to: folder.appendingPathComponent(ExampleImageWriter.exampleName(index)))
        }
        return try CalibrationDataset(folder: folder)
    }

    /// Each shard's encoded statistics: every tensor of every image gets `samples` values,
    /// unsigned (ReLU-like) or signed by tensor, on a scale of its own, so the histograms
    /// span as many octaves as real activations do; and per-channel figures of the size of
    /// the tensors the model reduces per channel.
    static func results(plan: ShardPlan, calibration: CalibrationPlan, samples: Int) -> [UInt32: [UInt8]] {
        let tensors = calibration.quantization.activations.count
        let bases: [[Float]] = (0..<tensors).map { tensor in
            var generator = SeededGenerator(seed: UInt64(tensor + 1))
            let scale = Float(0.05 * pow(2.0, Double(tensor % 9)))
            return (0..<samples).map { _ in
                let u1 = Float(generator.next() >> 40) / Float(1 << 24) + 1e-7
                let u2 = Float(generator.next() >> 40) / Float(1 << 24)
                let gaussian = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2) * scale
                return tensor % 3 == 0 ? gaussian : max(gaussian, 0)
            }
        }
        let figureChannels = ChannelReduction.collected(plan: calibration.quantization, biasCorrection: calibration.biasCorrection).map {
            calibration.graph.port($0.tensor)?.dims?[$0.channelAxis] ?? 1
        }
        let shards = plan.shards
        let collected = ResultTable(count: shards.count)
        DispatchQueue.concurrentPerform(iterations: shards.count) { shard in
            var statistics = calibration.emptyStatistics()
            var counters = HistogramCounters()
            for image in shards[shard] {
                for tensor in 0..<tensors {
                    let factor = 1 + Float(image % 17) / 64
                    let values = bases[tensor].map { $0 * factor }
                    values.withUnsafeBufferPointer { statistics.record(tensor: tensor, image: image, values: $0, counters: &counters) }
                }
                for (index, channels) in figureChannels.enumerated() {
                    let figures = (0..<channels).map { Float(($0 + image) % 7) / 7 }
                    figures.withUnsafeBufferPointer { statistics.recordChannelFigures(index, image: image, values: $0) }
                }
            }
            collected.set(shard, statistics.encoded())
        }
        return collected.dictionary
    }
}

/// Encoded results filled from concurrent iterations.
private final class ResultTable: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [UInt32: [UInt8]] = [:]

    init(count: Int) {
        results.reserveCapacity(count)
    }

    func set(_ shard: Int, _ bytes: [UInt8]) {
        lock.lock()
        results[UInt32(shard)] = bytes
        lock.unlock()
    }

    var dictionary: [UInt32: [UInt8]] {
        lock.lock()
        defer { lock.unlock() }
        return results
    }
}

