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

    @OptionGroup(title: "Execution") var execution: ExecutionOptions

    @OptionGroup(title: "With --workers") var serve: ServeOptions

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        let workers = execution.workers
        guard workers > 0 || !serve.resume else {
            throw ValidationError("--resume continues a run with --workers; an in-process run keeps no journal")
        }
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
            if execution.workers > 0, job.loadStats == nil {
                let journal = serve.journal ?? job.implicitJournalPath
                // A journal named with --journal is continued only with --resume.
                let kept = "results accepted so far are kept in the journal \(journal); the same command "
                    + (serve.journal == nil ? "continues from them" : "with --resume continues from them")
                let notice = InterruptNotice.watch { "interrupted by \($0): \(kept)" }
                defer { notice.cancel() }
                do {
                    try LocalCluster(
                        job: job, calibration: calibration, workers: execution.workers, threads: execution.threads, serve: serve,
                        cacheDir: execution.cacheDir
                    ).run {
                        try job.finish(calibration, statistics: $0, started: started, cluster: $1, timeline: $2)
                    }
                } catch {
                    // After an input every worker fails on, the same command fails again, and
                    // fixing or removing the input makes another job: the journal cannot help.
                    let inputFailed = if case CoordinatorError.input = error { true } else { false }
                    if !inputFailed, FileManager.default.fileExists(atPath: journal) {
                        StandardErrorLog.logger.notice("\(kept)")
                    }
                    throw error
                }
                return
            }
            let statistics: CalibrationStatistics
            if let loadStats = job.loadStats {
                do {
                    statistics = try CalibrationStatistics(decoding: AtomicFile.read(loadStats))
                } catch let error as StatisticsError {
                    throw CommandFailure("--load-stats \(loadStats): \(error)")
                }
            } else {
                let dataset = try job.data.dataset()
                let notice = InterruptNotice.watch {
                    "interrupted by \($0): nothing is kept, an in-process run keeps no journal (with --workers N a run can be continued)"
                }
                defer { notice.cancel() }
                let bar = ProgressBar(total: dataset.count, label: "statistics")
                statistics = try calibration.collect(
                    dataset: dataset, threads: execution.threads, interpolation: job.data.interpolation, channelOrder: job.data.channelOrder,
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
