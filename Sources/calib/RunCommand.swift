import ArgumentParser
import Coordinator
import Core
import Foundation
import Worker

/// `calib run`: calibrate a model on a dataset on this machine, in this process or with
/// local worker processes, and write the int8 IR.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Calibrate an FP32/FP16 IR on calibration images and write the int8 IR."
    )

    @OptionGroup(title: "Calibration") var job: JobOptions

    @Option(help: "OpenVINO inference threads in total (0: all cores).")
    var threads = 0

    @Option(help: "Local worker processes (0: calibrate in this process); cores are split between them.")
    var workers = 0

    @OptionGroup(title: "Local workers") var serve: ServeOptions

    @Option(help: ArgumentHelp(
        "With --workers: the folder the local workers keep received and compiled models in (as `calib worker --cache-dir`).",
        valueName: "dir"))
    var cacheDir: String?

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        let most = 8 * ProcessInfo.processInfo.activeProcessorCount
        try OptionRange.require(
            (0...most).contains(workers), "--workers", "between 0 (this process) and \(most) (8 per core of this machine)", workers)
        try OptionRange.threads(threads)
        guard workers > 0 || !serve.resume else {
            throw ValidationError("--resume continues a run with --workers; an in-process run keeps no journal")
        }
        guard workers > 0 || cacheDir == nil else {
            throw ValidationError("--cache-dir is where local workers keep models: use it with --workers")
        }
        if cacheDir?.isEmpty == true { throw ValidationError("--cache-dir must name a folder, not be empty") }
        guard workers > 0 || (serve.cpuISA == nil && !serve.allowMixedISA) else {
            throw ValidationError(
                "--cpu-isa and --allow-mixed-isa limit worker processes: use them with --workers (an in-process run follows ONEDNN_MAX_CPU_ISA)")
        }
    }

    func run() throws {
        let started = Date()
        try self.job.withResolvedJob { job, settings in
            try job.checkOutputs()
            let calibration = try job.calibration(configuration: settings)
            if workers > 0, job.loadStats == nil {
                try LocalCluster(job: job, calibration: calibration, workers: workers, threads: threads, serve: serve, cacheDir: cacheDir).run {
                    try job.finish(calibration, statistics: $0, started: started, cluster: $1, timeline: $2)
                }
                return
            }
            let statistics: CalibrationStatistics
            if let loadStats = job.loadStats {
                statistics = try CalibrationStatistics(decoding: AtomicFile.read(loadStats))
            } else {
                let dataset = try job.data.dataset()
                var bar = ProgressBar(total: dataset.count, label: "statistics")
                statistics = try calibration.collect(
                    dataset: dataset, threads: threads, interpolation: job.data.interpolation, channelOrder: job.data.channelOrder,
                    reader: job.data.reader
                ) { bar.update(done: $0) }
            }
            try job.finish(calibration, statistics: statistics, started: started)
            try removeStaleJournal(of: job)
        }
    }

    /// Deletes the journal an earlier distributed run with this output left behind: it is
    /// of no use once the output is written, and must not lie next to it. A journal a
    /// running coordinator holds is left alone.
    private func removeStaleJournal(of job: JobOptions) throws {
        let path = job.implicitJournalPath
        guard FileManager.default.fileExists(atPath: path) else { return }
        if try ResultJournal.removeUnlessInUse(path: path) {
            StandardErrorLog.logger.notice("removed \(path), the journal of an earlier unfinished run")
        } else {
            StandardErrorLog.logger.warning("left \(path): a coordinator writing the same output is running")
        }
    }
}

extension CalibrationMethod: ExpressibleByArgument {}
extension QuantizationPreset: ExpressibleByArgument {}
