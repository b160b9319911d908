/// The coordinator's view of a run, sent to `calib status` clients: how far the job is
/// and what every worker it has seen is doing. It is a snapshot; clients ask again for
/// a fresh one.
public struct ClusterStatus: Sendable, Equatable, Codable {
    /// The coordinator's identifier of this run.
    public var jobID: String
    /// Images whose statistics are merged (resumed ones included).
    public var imagesDone: UInt32
    /// Images in the calibration set.
    public var images: UInt32
    /// Shards whose result is accepted.
    public var shardsDone: UInt32
    /// Shards in the plan.
    public var shards: UInt32
    /// Seconds since the coordinator started serving.
    public var elapsedSeconds: Double
    /// Every worker seen in this run, in routing-id order.
    public var workers: [WorkerReport]
    /// The instruction set every worker is limited to; empty when each uses its own
    /// (`--allow-mixed-isa`) or no worker came yet.
    public var instructionSet: String

    public init(
        jobID: String, imagesDone: UInt32, images: UInt32, shardsDone: UInt32, shards: UInt32, elapsedSeconds: Double,
        workers: [WorkerReport], instructionSet: String = ""
    ) {
        self.instructionSet = instructionSet
        self.jobID = jobID
        self.imagesDone = imagesDone
        self.images = images
        self.shardsDone = shardsDone
        self.shards = shards
        self.elapsedSeconds = elapsedSeconds
        self.workers = workers
    }
}

/// One worker as the coordinator sees it.
public struct WorkerReport: Sendable, Equatable, Codable {
    /// Whether the worker is working, waiting, dead (missed heartbeats) or gone (said bye
    /// or was cut off).
    public enum State: String, Sendable, Codable, CaseIterable {
        case idle
        case working
        case dead
        case left
    }

    /// The worker's ZeroMQ routing id in hex.
    public var id: String
    /// From the worker's hello.
    public var host: String
    public var pid: Int32
    public var threads: Int32
    public var state: State
    /// The lowest shard the worker is running, if any.
    public var currentShard: UInt32?
    /// Images of this worker's accepted results.
    public var imagesDone: UInt32
    /// Images the worker computed per second since it joined: by its own count (which
    /// includes results that arrived second), or its accepted images while that count,
    /// a heartbeat old, is lower.
    public var imagesPerSecond: Double
    /// Seconds since the coordinator last heard from the worker.
    public var lastHeartbeatAge: Double
    /// The worker's resident memory, from its last heartbeat.
    public var residentBytes: UInt64
    /// Shards the worker reported failed.
    public var errors: UInt32
    /// The instruction set the worker's OpenVINO runs on: the job's when it is pinned,
    /// else the widest the worker has (its hello's).
    public var instructionSet: String

    public init(
        id: String, host: String, pid: Int32, threads: Int32, state: State, currentShard: UInt32?, imagesDone: UInt32,
        imagesPerSecond: Double, lastHeartbeatAge: Double, residentBytes: UInt64, errors: UInt32, instructionSet: String = ""
    ) {
        self.instructionSet = instructionSet
        self.id = id
        self.host = host
        self.pid = pid
        self.threads = threads
        self.state = state
        self.currentShard = currentShard
        self.imagesDone = imagesDone
        self.imagesPerSecond = imagesPerSecond
        self.lastHeartbeatAge = lastHeartbeatAge
        self.residentBytes = residentBytes
        self.errors = errors
    }
}
