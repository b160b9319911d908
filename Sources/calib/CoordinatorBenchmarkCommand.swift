import ArgumentParser
import Coordinator
import Core
import Foundation
import Worker

/// `calib benchmark-coordinator`: the coordinator against hundreds of simulated workers
/// returning statistics of the 1200x1200 model's size, to see whether one coordinator
/// keeps up: its CPU per result, merge throughput, and makespan against the ideal.
struct CoordinatorBenchmarkCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "benchmark-coordinator",
        abstract: "Measure one coordinator serving many simulated workers."
    )

    @Option(help: "Simulated workers.")
    var workers = 256

    @Option(help: "Calibration images.")
    var images = 1024

    @Option(help: "Images per shard.")
    var shardSize = 2

    @Option(help: "Simulated inference time per image, seconds.")
    var secondsPerImage = 1.0

    @Option(help: "Values per tensor and image fed to the statistics of each simulated result.")
    var samplesPerTensor = 20_000

    @Option(help: "Model resolution whose probed tensors the results describe.")
    var resolution = 1200

    func validate() throws {
        try OptionRange.require(workers >= 1, "--workers", "at least 1", workers)
        try OptionRange.require(images >= 1, "--images", "at least 1", images)
        try OptionRange.require(shardSize >= 1, "--shard-size", "at least 1", shardSize)
        try OptionRange.require(secondsPerImage >= 0 && secondsPerImage.isFinite, "--seconds-per-image", "0 or more", secondsPerImage)
        try OptionRange.require(samplesPerTensor >= 1, "--samples-per-tensor", "at least 1", samplesPerTensor)
    }

    func run() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calib-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let calibration = try CalibrationRun(graph: SSDResNet34(resolution: resolution).makeGraph())
        let dataset = try Self.images(count: images, in: folder)
        let plan = ShardPlan(imageCount: images, size: shardSize)
        print("model: \(resolution)x\(resolution) example, \(calibration.plan.activations.count) probed tensors")
        let payloads = Self.results(plan: plan, calibration: calibration, samples: samplesPerTensor)
        let payloadBytes = payloads.values.reduce(0) { $0 + $1.count }
        print(String(format: "results: %d shards of %d images, %.2f MB each on average", plan.count, shardSize, Double(payloadBytes) / Double(plan.count) / 1e6))

        let node = try CoordinatorNode(
            run: calibration, dataset: dataset, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow, ignoredNames: [],
            ignoredTypes: [],
            options: .init(
                endpoint: "tcp://127.0.0.1:*", shardSize: shardSize,
                journalPath: folder.appendingPathComponent("benchmark.journal").path),
            logger: Console.logger)
        let simulation = try SimulatedWorkers(
            count: workers, endpoint: node.boundEndpoint, secondsPerImage: secondsPerImage, heartbeatInterval: 1,
            results: payloads)
        let simulationFailure = SimulationOutcome()
        let simulator = Thread {
            do { try simulation.run(timeout: 1800) } catch { simulationFailure.record(error) }
            simulationFailure.finish()
        }
        simulator.stackSize = 8 << 20
        let processBefore = Self.processCPUSeconds()
        let threadBefore = Self.threadCPUSeconds()
        let started = Date()
        simulator.start()
        var bar = ProgressBar(total: images, label: "merged")
        _ = try node.serve { bar.update(done: $0.imagesDone, extra: "\($0.liveWorkers) workers") }
        let makespan = Date().timeIntervalSince(started)
        simulation.stop()
        let coordinatorCPU = Self.threadCPUSeconds() - threadBefore
        let processCPU = Self.processCPUSeconds() - processBefore
        simulationFailure.wait()
        if let failure = simulationFailure.error { throw failure }

        let counters = node.counters
        let rounds = (plan.count + workers - 1) / workers
        let ideal = Double(rounds * shardSize) * secondsPerImage
        print(String(format: "workers:               %d simulated, %.2f s per image", workers, secondsPerImage))
        print(String(format: "results merged:        %d (%.1f MB, %d duplicates)", counters.resultsAccepted, Double(counters.bytesAccepted) / 1e6, counters.duplicateResults))
        print(String(format: "makespan:              %.2f s (ideal %.2f s: %d rounds) -> ratio %.2f", makespan, ideal, rounds, makespan / ideal))
        print(String(format: "coordinator thread:    %.2f s CPU, %.1f ms per result", coordinatorCPU, coordinatorCPU * 1000 / Double(max(counters.resultsAccepted, 1))))
        print(String(format: "merge (decode+merge):  %.2f s, %.0f MB/s", counters.mergeSeconds, Double(counters.bytesAccepted) / 1e6 / max(counters.mergeSeconds, 1e-9)))
        print(String(format: "journal (write+fsync): %.2f s, %.0f MB/s", counters.journalSeconds, Double(counters.bytesAccepted) / 1e6 / max(counters.journalSeconds, 1e-9)))
        print(String(format: "whole process:         %.2f s CPU (coordinator, simulated workers, ZeroMQ I/O)", processCPU))
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
    static func results(plan: ShardPlan, calibration: CalibrationRun, samples: Int) -> [UInt32: [UInt8]] {
        let tensors = calibration.plan.activations.count
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
        let figureChannels = ChannelReduction.collected(plan: calibration.plan, biasCorrection: calibration.biasCorrection).map {
            calibration.graph.port($0.tensor)?.dims?[$0.channelAxis] ?? 1
        }
        let shards = plan.shards
        let collected = ResultTable(count: shards.count)
        DispatchQueue.concurrentPerform(iterations: shards.count) { shard in
            var statistics = calibration.emptyStatistics()
            for image in shards[shard] {
                for tensor in 0..<tensors {
                    let factor = 1 + Float(image % 17) / 64
                    let values = bases[tensor].map { $0 * factor }
                    values.withUnsafeBufferPointer { statistics.record(tensor: tensor, image: image, values: $0) }
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

    private static func threadCPUSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    private static func processCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
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

/// The simulator thread's end: its error, if any, and a way to wait for it.
private final class SimulationOutcome: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private(set) var error: (any Error)?

    func record(_ error: any Error) {
        self.error = error
    }

    func wait() {
        done.wait()
    }

    func finish() {
        done.signal()
    }
}
