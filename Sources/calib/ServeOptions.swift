import ArgumentParser
import Coordinator
import Core
import Foundation
import Worker

/// How a coordinator serves a job, shared by `calib coordinator` and `calib run --workers`:
/// shard size and heartbeats; it also builds the node from them.
struct ServeOptions: ParsableArguments {
    @Option(help: "Images per shard handed to a worker (0: chosen for balance).")
    var shardSize = 0

    @OptionGroup var heartbeat: HeartbeatOptions

    /// A coordinator for `job` bound to `endpoint`, with shards sized for `expectedWorkers`.
    func node(job: JobOptions, calibration: CalibrationRun, dataset: CalibrationDataset, endpoint: String, expectedWorkers: Int)
        throws -> CoordinatorNode
    {
        try CoordinatorNode(
            run: calibration, dataset: dataset, interpolation: job.data.interpolation, channelOrder: job.data.channelOrder,
            ignoredNames: job.ignored, ignoredTypes: job.ignoredType,
            options: .init(
                endpoint: endpoint,
                shardSize: shardSize > 0 ? shardSize : ShardPlan.defaultSize(imageCount: dataset.count, expectedWorkers: expectedWorkers),
                heartbeatInterval: heartbeat.heartbeatInterval, missedHeartbeats: heartbeat.missedHeartbeats),
            logger: Console.logger)
    }
}

/// Heartbeat timing; coordinator and workers should agree on it.
struct HeartbeatOptions: ParsableArguments {
    @Option(help: "Seconds between heartbeats.")
    var heartbeatInterval = 1.0

    @Option(help: "Heartbeats missed in a row after which the peer is declared dead.")
    var missedHeartbeats = 3

    func validate() throws {
        guard heartbeatInterval > 0, heartbeatInterval <= 3600 else {
            throw ValidationError("--heartbeat-interval must be between 0 and 3600 seconds, not \(heartbeatInterval)")
        }
        guard missedHeartbeats >= 1 else { throw ValidationError("--missed-heartbeats must be at least 1") }
    }

    /// The same options for a worker process started by this one.
    var arguments: [String] {
        ["--heartbeat-interval", String(heartbeatInterval), "--missed-heartbeats", String(missedHeartbeats)]
    }
}
