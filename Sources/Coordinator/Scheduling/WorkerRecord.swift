/// What the scheduler knows about one worker, for decisions and for progress reports.
///
/// The record is the scheduler's view, not the worker's: shards in `shards` are the
/// ones the scheduler is still waiting on from this worker.
public struct WorkerRecord: Hashable, Sendable {
    /// Whether the worker can be given work and whether it holds any.
    public enum State: Hashable, Sendable {
        /// Alive and holding no shard.
        case idle
        /// Alive and holding at least one shard.
        case working
        /// Declared dead after missed heartbeats, or left; holds nothing.
        case dead
    }

    public internal(set) var state: State
    /// Shard ids handed to this worker whose results are still awaited from it.
    public internal(set) var shards: Set<Int>
    /// Shards whose accepted (first) result came from this worker.
    public internal(set) var shardsDone: Int
    /// Images in those shards.
    public internal(set) var imagesDone: Int
    /// Clock time of the last message from this worker.
    public internal(set) var lastHeard: Double
    /// Clock time the worker was first seen.
    public let joined: Double

    init(now: Double) {
        state = .idle
        shards = []
        shardsDone = 0
        imagesDone = 0
        lastHeard = now
        joined = now
    }

    /// True unless the worker is dead.
    public var isAlive: Bool { state != .dead }
}
