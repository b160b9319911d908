import Coordinator
import Core
import Foundation
import Worker

/// `calib run --workers N`: a coordinator on a loopback port in this process and N
/// `calib worker` processes started from this executable, the cores split between them.
struct LocalCluster {
    let job: JobOptions
    let calibration: CalibrationRun
    let workers: Int
    let threads: Int
    let serve: ServeOptions

    /// Collects the statistics with the workers, hands them to `finish` (which writes the
    /// output), then deletes the journal.
    func run(finish: (CalibrationStatistics) throws -> Void) throws {
        let dataset = try job.data.dataset()
        let cores = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        let node = try serve.node(
            job: job, calibration: calibration, dataset: dataset, endpoint: "tcp://127.0.0.1:*", expectedWorkers: workers)
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let processes = try (0..<workers).map { _ in
            let process = Process()
            process.executableURL = executable
            process.arguments =
                ["worker", "--connect", node.boundEndpoint, "--threads", String(max(1, cores / workers))] + serve.heartbeat.arguments
            try process.run()
            return process
        }
        defer {
            for process in processes where process.isRunning { process.terminate() }
        }
        var bar = ProgressBar(total: dataset.count, label: "statistics")
        try finish(try node.serve { bar.update(done: $0.imagesDone, extra: "\($0.liveWorkers) workers") })
        try node.removeJournal()
    }
}
