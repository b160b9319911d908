/// Decides which worker computes which shard, detects dead workers and re-runs
/// stragglers, as a pure state machine.
///
/// It exists so that all scheduling policy can be tested without sockets or real time:
/// the ZeroMQ loop feeds it events stamped with an injected clock (`now`, seconds) and
/// sends whatever it decides. The same events in the same order always give the same
/// decisions: whenever a choice depends on order, workers and shards are visited in
/// sorted order.
///
/// Policy:
/// - Workers pull: `requestShards` hands out pending shards lowest id first (re-queued
///   shards therefore go out again before fresh ones).
/// - Any message from a worker counts as a heartbeat. A worker that is silent for
///   `heartbeatInterval * missedHeartbeats` is declared dead by `tick`; shards that no
///   other worker is running go back to the queue.
/// - A message from a dead (or never seen) worker brings it back as an idle worker.
///   Results are deterministic, so a late result from a worker that lost its shard is
///   still accepted if the shard is not complete yet.
/// - When nothing is pending, an idle worker gets a copy of the oldest outstanding
///   shard that only one worker runs (never more than two copies); the first result
///   wins and later ones are duplicates.
/// - A shard that fails `maxFailures` times makes the whole run fail (`failure`).
public struct ShardScheduler: Sendable {
    /// The shards being scheduled.
    public let plan: ShardPlan
    /// Seconds between the heartbeats workers are expected to send.
    public let heartbeatInterval: Double
    /// How many consecutive intervals may pass in silence before a worker is dead.
    public let missedHeartbeats: Int
    /// Failures of one shard that make the run fail.
    public let maxFailures: Int

    /// Shards whose result has been accepted (including resumed ones).
    public private(set) var completedShards: Set<Int>
    /// Every worker ever seen, dead ones included.
    public private(set) var workers: [WorkerID: WorkerRecord] = [:]
    /// Handed-out, not yet completed shards and the live workers running them.
    public private(set) var outstanding: [Int: Set<WorkerID>] = [:]
    /// Why the run cannot complete, once a shard failed `maxFailures` times.
    public private(set) var failure: String?
    /// Images in completed shards (including resumed ones): the progress figure.
    public private(set) var imagesDone: Int

    /// Shards waiting for a worker, sorted ascending.
    private var pending: [Int]
    /// Reported failures per shard.
    private var failures: [Int: Int] = [:]
    /// When each outstanding shard was first handed out (a counter, for "oldest").
    private var issuedAt: [Int: Int] = [:]
    private var issueCounter = 0
    /// Shards taken away from a worker (death or leaving) whose late result is welcome.
    private var released: [WorkerID: Set<Int>] = [:]

    /// - Parameter alreadyDone: shard ids complete from the start (say, from a resumed
    ///   journal); ids outside the plan are ignored.
    public init(
        plan: ShardPlan,
        heartbeatInterval: Double = 1,
        missedHeartbeats: Int = 3,
        alreadyDone: Set<Int> = [],
        maxFailures: Int = 3
    ) {
        precondition(heartbeatInterval > 0, "heartbeat interval must be positive")
        precondition(missedHeartbeats >= 1, "at least one missed heartbeat is needed")
        precondition(maxFailures >= 1, "at least one failure must be allowed")
        self.plan = plan
        self.heartbeatInterval = heartbeatInterval
        self.missedHeartbeats = missedHeartbeats
        self.maxFailures = maxFailures
        let done = alreadyDone.filter { plan.shards.indices.contains($0) }
        completedShards = done
        imagesDone = done.reduce(0) { $0 + plan.shards[$1].count }
        pending = plan.shards.indices.filter { !done.contains($0) }
    }

    // MARK: Queries

    /// True when every shard has an accepted result.
    public var isComplete: Bool { completedShards.count == plan.count }

    /// Shards waiting for a worker.
    public var pendingCount: Int { pending.count }

    /// Silence after which a worker is declared dead.
    public var deadline: Double { heartbeatInterval * Double(missedHeartbeats) }

    /// True when `shard`'s result from `id` would be accepted: the shard is not complete
    /// and `id` runs it, or ran it before it was taken away (death, leaving).
    public func expects(shard: Int, from id: WorkerID) -> Bool {
        guard plan.shards.indices.contains(shard), !completedShards.contains(shard) else { return false }
        return outstanding[shard]?.contains(id) == true || released[id]?.contains(shard) == true
    }

    /// The next `limit` shards the queue will hand out, in order: what to read ahead.
    public func upcoming(_ limit: Int) -> ArraySlice<Int> {
        pending.prefix(limit)
    }

    // MARK: Events

    /// A worker announced itself (or came back).
    public mutating func workerJoined(_ id: WorkerID, now: Double) {
        touch(id, now: now)
    }

    /// Any message from a worker: proof that it is alive.
    public mutating func heard(from id: WorkerID, now: Double) {
        touch(id, now: now)
    }

    /// A worker can take `capacity` more shards; returns the shard ids to send it.
    public mutating func requestShards(for id: WorkerID, capacity: Int, now: Double) -> [Int] {
        touch(id, now: now)
        return assignShards(to: id, capacity: capacity)
    }

    /// Up to `capacity` pending shards for a worker that asked earlier (a standing
    /// request): not a sign of life, and no straggler copies, which are given only to a
    /// worker asking now.
    public mutating func assignPendingShards(to id: WorkerID, capacity: Int) -> [Int] {
        guard !pending.isEmpty else { return [] }
        return assignShards(to: id, capacity: capacity)
    }

    private mutating func assignShards(to id: WorkerID, capacity: Int) -> [Int] {
        guard failure == nil, capacity > 0, workers[id]?.isAlive == true else { return [] }
        var given: [Int] = []
        if !pending.isEmpty {
            let count = min(capacity, pending.count)
            given = Array(pending.prefix(count))
            pending.removeFirst(count)
        } else if workers[id]?.shards.isEmpty == true, let copy = stragglerCandidate(for: id) {
            given = [copy]
        }
        for shard in given { assign(shard, to: id) }
        return given
    }

    /// A worker's result of `shard` passed its checks. The checks run after the result
    /// was read, so the worker may have left or been declared dead meanwhile (a worker
    /// stopped by SIGTERM sends its result, then `bye`): that is no sign of life and does
    /// not bring it back.
    public mutating func completed(shard: Int, by id: WorkerID, now: Double) -> Completion {
        if let record = workers[id], record.isAlive { workers[id]?.lastHeard = max(record.lastHeard, now) }
        guard plan.shards.indices.contains(shard) else { return .rejected }
        if completedShards.contains(shard) {
            drop(shard, from: id)
            return .duplicate
        }
        let holds = outstanding[shard]?.contains(id) == true
        let lost = released[id]?.contains(shard) == true
        guard holds || lost else { return .rejected }

        completedShards.insert(shard)
        let images = plan.shards[shard].count
        imagesDone += images
        for runner in outstanding[shard] ?? [] { drop(shard, from: runner) }
        outstanding[shard] = nil
        issuedAt[shard] = nil
        removePending(shard)
        for worker in released.keys { released[worker]?.remove(shard) }
        workers[id]?.shardsDone += 1
        workers[id]?.imagesDone += images
        return .accepted
    }

    /// A worker could not compute `shard` (bad image, inference error, ...). A `retryable`
    /// failure runs the shard again until its `maxFailures`th; one that is not (an input
    /// every worker would fail on) is fatal at once.
    @discardableResult
    public mutating func failed(shard: Int, by id: WorkerID, now: Double, reason: String, retryable: Bool = true) -> FailureOutcome {
        touch(id, now: now)
        guard plan.shards.indices.contains(shard), !completedShards.contains(shard) else { return .ignored }
        let holds = outstanding[shard]?.contains(id) == true
        let lost = released[id]?.contains(shard) == true
        guard holds || lost else { return .ignored }
        released[id]?.remove(shard)
        if holds { release(shard, from: id) }

        let count = failures[shard, default: 0] + 1
        failures[shard] = count
        let message: String
        if !retryable {
            message = "shard \(shard) (\(plan.images(of: shard))) cannot be calibrated on any worker: \(reason) (reported by worker \(id))"
        } else if count >= maxFailures {
            message = "shard \(shard) (\(plan.images(of: shard))) failed \(count) times; last by worker \(id): \(reason)"
        } else {
            return .retry
        }
        if failure == nil { failure = message }
        return .fatal(message)
    }

    /// A worker said goodbye; its unfinished shards go back to the queue.
    public mutating func workerLeft(_ id: WorkerID, now: Double) {
        guard workers[id] != nil else { return }
        workers[id]?.lastHeard = now
        bury(id)
    }

    /// Advances the clock; returns the workers declared dead now, in sorted order.
    public mutating func tick(now: Double) -> [WorkerID] {
        let silent = workers
            .filter { $0.value.isAlive && now - $0.value.lastHeard >= deadline }
            .keys.sorted()
        for id in silent { bury(id) }
        return silent
    }

    /// The coordinator itself could not listen for `seconds` (a stall: swap, a slow disk,
    /// a paused process) ending at `now`: that silence is not the workers', so every live
    /// worker's silence is shortened by it.
    public mutating func excuse(stall seconds: Double, now: Double) {
        guard seconds > 0 else { return }
        for (id, record) in workers where record.isAlive {
            workers[id]?.lastHeard = min(now, record.lastHeard + seconds)
        }
    }

    // MARK: Internals

    /// Records a message from `id`: registers an unknown worker, revives a dead one.
    private mutating func touch(_ id: WorkerID, now: Double) {
        if var record = workers[id] {
            record.lastHeard = max(record.lastHeard, now)
            if record.state == .dead { record.state = .idle }
            workers[id] = record
        } else {
            workers[id] = WorkerRecord(now: now)
        }
    }

    /// Marks `id` dead and takes its shards away (remembering them for late results).
    private mutating func bury(_ id: WorkerID) {
        let held = workers[id]?.shards ?? []
        for shard in held.sorted() {
            release(shard, from: id)
        }
        released[id, default: []].formUnion(held)
        workers[id]?.state = .dead
    }

    /// Hands `shard` to `id`.
    private mutating func assign(_ shard: Int, to id: WorkerID) {
        if outstanding[shard] == nil {
            outstanding[shard] = []
            issuedAt[shard] = issueCounter
            issueCounter += 1
        }
        outstanding[shard]?.insert(id)
        released[id]?.remove(shard)
        workers[id]?.shards.insert(shard)
        workers[id]?.state = .working
    }

    /// Takes `shard` from `id`; re-queues it when nobody else runs it.
    private mutating func release(_ shard: Int, from id: WorkerID) {
        drop(shard, from: id)
        outstanding[shard]?.remove(id)
        if outstanding[shard]?.isEmpty == true {
            outstanding[shard] = nil
            issuedAt[shard] = nil
            insertPending(shard)
        }
    }

    /// Forgets that `id` holds `shard` in its record only.
    private mutating func drop(_ shard: Int, from id: WorkerID) {
        guard var record = workers[id], record.shards.remove(shard) != nil else { return }
        if record.state == .working && record.shards.isEmpty { record.state = .idle }
        workers[id] = record
    }

    /// The oldest outstanding shard that exactly one other worker runs, if any.
    private func stragglerCandidate(for id: WorkerID) -> Int? {
        outstanding
            .filter { $0.value.count == 1 && !$0.value.contains(id) }
            .keys
            .min { (issuedAt[$0] ?? 0, $0) < (issuedAt[$1] ?? 0, $1) }
    }

    private mutating func insertPending(_ shard: Int) {
        let index = pending.firstIndex { $0 >= shard } ?? pending.endIndex
        if index < pending.endIndex && pending[index] == shard { return }
        pending.insert(shard, at: index)
    }

    private mutating func removePending(_ shard: Int) {
        if let index = pending.firstIndex(of: shard) { pending.remove(at: index) }
    }
}
