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
    let shardSize: Int

    func collect() throws -> CalibrationStatistics {
        let dataset = try job.data.dataset()
        let cores = threads > 0 ? threads : ProcessInfo.processInfo.activeProcessorCount
        let node = try CoordinatorNode(
            run: calibration, dataset: dataset, interpolation: job.data.interpolation, channelOrder: job.data.channelOrder,
            ignoredNames: job.ignored, ignoredTypes: job.ignoredType,
            options: .init(
                endpoint: "tcp://127.0.0.1:*",
                shardSize: shardSize > 0 ? shardSize : ShardPlan.defaultSize(imageCount: dataset.count, expectedWorkers: workers)),
            logger: Console.logger)
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        let processes = try (0..<workers).map { _ in
            let process = Process()
            process.executableURL = executable
            process.arguments = ["worker", "--connect", node.boundEndpoint, "--threads", String(max(1, cores / workers))]
            try process.run()
            return process
        }
        defer {
            for process in processes where process.isRunning { process.terminate() }
        }
        var bar = ProgressBar(total: dataset.count, label: "statistics")
        return try node.serve { bar.update(done: $0.imagesDone, extra: "\($0.liveWorkers) workers") }
    }
}
