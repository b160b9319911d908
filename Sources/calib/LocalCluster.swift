import ArgumentParser
import Coordinator
import Core
import Foundation
import Protocol
import Worker

/// `calib run --workers N`: a coordinator on a loopback port in this process and N
/// `calib worker` processes started from this very executable, the cores split between
/// them. The run stops as soon as every worker process has exited.
struct LocalCluster {
    let job: JobOptions
    let calibration: CalibrationPlan
    let workers: Int
    let threads: Int
    let serve: ServeOptions
    /// The workers' `--cache-dir` (nil: their default).
    let cacheDir: String?

    /// Collects the statistics with the workers, hands them to `finish` (which writes the
    /// output), then deletes the journal.
    func run(finish: (CalibrationStatistics, ClusterStatus, [WorkerEvent]) throws -> Void) throws {
        let dataset = try job.data.dataset()
        let node = try serve.node(
            job: job, calibration: calibration, dataset: dataset, endpoint: "tcp://127.0.0.1:*", expectedWorkers: workers)
        let executable = try SelfExecutable.url
        StandardErrorLog.logger.info("coordinator of the local workers on \(node.boundEndpoint) (calib status --connect \(node.boundEndpoint))")
        // A CPU group each: OpenVINO pins its threads, and workers left to themselves all
        // pinned to the same CPUs.
        let allowed = ProcessorAffinity.allowed()
        let cpuGroups = ProcessorAffinity.groups(of: allowed, count: workers)
        if workers > allowed.count {
            StandardErrorLog.logger.notice("\(workers) workers on \(allowed.count) CPUs: some share a CPU and run slower than the others")
        }
        let processes = try cpuGroups.map { cpus in
            let process = Process()
            process.executableURL = executable
            process.arguments =
                [
                    "worker", "--connect", node.boundEndpoint, "--threads", String(threads > 0 ? max(1, threads / workers) : cpus.count),
                    "--parent-pid", String(getpid()), "--cpus", ProcessorAffinity.describe(cpus),
                ] + serve.heartbeat.arguments + (cacheDir.map { ["--cache-dir", $0] } ?? [])
            // The workers log at this process's level (--log-level included).
            var environment = ProcessInfo.processInfo.environment
            if let level = StandardErrorLog.level { environment[StandardErrorLog.environmentVariable] = level.rawValue }
            process.environment = environment
            // The process keeps the pipe, whose read handler keeps the output.
            if StandardErrorLines.shared.isTerminal { process.standardError = WorkerOutput().pipe }
            try process.run()
            return process
        }
        defer { Self.stop(processes) }
        let resumed = node.imagesResumed
        let bar = ProgressBar(total: dataset.count, label: "statistics", resumed: resumed)
        let statistics = try node.serve(
            progress: { progress in
                let parts = (resumed > 0 ? ["\(resumed) from the journal"] : []) + [Self.health(of: progress.workers)]
                bar.update(done: progress.imagesDone, extra: parts.filter { !$0.isEmpty }.joined(separator: " | "))
            },
            abandon: { Self.allExited(processes) })
        try finish(statistics, node.clusterStatus, node.timeline)
        try node.removeJournal()
    }

    /// The workers' health on the progress line: each one's process, state, images and
    /// speed while they fit (four), else how many are in each state.
    static func health(of workers: [WorkerReport]) -> String {
        guard workers.count <= 4 else {
            let counts = WorkerReport.State.allCases.compactMap { state in
                let count = workers.filter { $0.state == state }.count
                return count > 0 ? "\(count) \(state.rawValue)" : nil
            }
            return "workers: " + counts.joined(separator: ", ")
        }
        return workers.map { "pid \($0.pid) \($0.state.rawValue) \($0.imagesDone) img \(String(format: "%.2f", $0.imagesPerSecond))/s" }
            .joined(separator: " | ")
    }

    /// Ends the workers still running (SIGTERM: each gives back its shard and says
    /// goodbye) and waits up to two seconds, so that their last log lines come before this
    /// process's error or summary; any still running then is killed.
    private static func stop(_ processes: [Process]) {
        for process in processes where process.isRunning { process.terminate() }
        let deadline = Date().addingTimeInterval(2)
        while processes.contains(where: \.isRunning), Date() < deadline { Thread.sleep(forTimeInterval: 0.02) }
        for process in processes where process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    /// Why the run cannot go on when every worker process has exited, else nil.
    private static func allExited(_ processes: [Process]) -> String? {
        guard processes.allSatisfy({ !$0.isRunning }) else { return nil }
        let endings = processes.map { process in
            process.terminationReason == .uncaughtSignal
                ? "pid \(process.processIdentifier) killed by signal \(process.terminationStatus)"
                : "pid \(process.processIdentifier) exit status \(process.terminationStatus)"
        }
        return "all \(processes.count) local worker processes exited (\(endings.joined(separator: ", ")))"
    }
}
