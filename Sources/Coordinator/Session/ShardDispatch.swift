import Protocol

/// Which shards go out when, as a pure state machine: a worker's `ready(capacity)` is a
/// standing request, filled as shards become available, and at most `limit` shards are
/// on their way (sent, not yet acknowledged by `shardReceived`, a result offer or a
/// failure) at once, so the images queued in the coordinator do not grow with the
/// number of workers.
public struct ShardDispatch: Sendable {
    /// Shards on their way at most.
    public let limit: Int
    /// Standing requests, oldest first: the worker and how many more shards it takes.
    private var requests: [(worker: WorkerID, capacity: Int)] = []
    /// Shards sent to each worker and not acknowledged.
    private var inTransit: [WorkerID: Set<Int>] = [:]
    /// Shards on their way, over all workers.
    public private(set) var inTransitCount = 0

    public init(limit: Int) {
        precondition(limit >= 1, "at least one shard must be allowed on its way")
        self.limit = limit
    }

    /// Standing requests.
    public var waitingRequests: Int { requests.count }

    /// `worker` takes `capacity` more shards.
    public mutating func request(_ capacity: Int, from worker: WorkerID) {
        guard capacity > 0 else { return }
        if let index = requests.firstIndex(where: { $0.worker == worker }) {
            requests[index].capacity += capacity
        } else {
            requests.append((worker, capacity))
        }
    }

    /// Shards that may still go out before the limit.
    public var room: Int { limit - inTransitCount }

    /// The standing requests, oldest first: fill them in this order while there is `room`,
    /// and `record` what each got.
    public var openRequests: [(worker: WorkerID, capacity: Int)] { requests }

    /// `shards` were sent to `worker` for its standing request.
    public mutating func record(_ shards: [Int], sentTo worker: WorkerID) {
        guard !shards.isEmpty, let index = requests.firstIndex(where: { $0.worker == worker }) else { return }
        inTransit[worker, default: []].formUnion(shards)
        inTransitCount += shards.count
        requests[index].capacity -= shards.count
        if requests[index].capacity <= 0 { requests.remove(at: index) }
    }

    /// `worker` has `shard` (it said so, or offered its result, or reported it failed).
    public mutating func arrived(_ shard: Int, at worker: WorkerID) {
        if inTransit[worker]?.remove(shard) != nil { inTransitCount -= 1 }
    }

    /// `worker` went away: its requests are dropped and its shards on their way stop counting.
    public mutating func forget(_ worker: WorkerID) {
        requests.removeAll { $0.worker == worker }
        inTransitCount -= inTransit.removeValue(forKey: worker)?.count ?? 0
    }
}
