import Protocol

/// What the coordinator knows about each worker beyond scheduling: who it said it is,
/// what it last reported about itself, and whether it left. Together with the
/// scheduler's records it makes the `ClusterStatus` that `calib status` and the metrics
/// endpoint show. A pure value, fed by the network loop.
public struct WorkerRegistry: Sendable {
    private struct Entry: Sendable {
        var hello: Hello
        var report: WorkerStatus?
        var failures = 0
        var left = false
    }

    private var entries: [WorkerID: Entry] = [:]

    public init() {}

    /// A worker said hello (again): a fresh session.
    public mutating func joined(_ id: WorkerID, hello: Hello) {
        entries[id] = Entry(hello: hello)
    }

    /// A worker's heartbeat carried its status.
    public mutating func reported(_ id: WorkerID, status: WorkerStatus) {
        entries[id]?.report = status
    }

    /// A worker reported a failed shard.
    public mutating func failed(_ id: WorkerID) {
        entries[id]?.failures += 1
    }

    /// A worker said goodbye or was cut off.
    public mutating func left(_ id: WorkerID) {
        entries[id]?.left = true
    }

    /// The run's status at scheduler time `now` (the scheduler's clock, in seconds), with
    /// the instruction set the job's workers are limited to, if any.
    public func status(scheduler: ShardScheduler, jobID: String, now: Double, instructionSet: InstructionSet? = nil) -> ClusterStatus {
        let workers = entries.keys.sorted().map { id in
            report(id, entry: entries[id]!, record: scheduler.workers[id], now: now, instructionSet: instructionSet)
        }
        return ClusterStatus(
            jobID: jobID, imagesDone: UInt32(scheduler.imagesDone), images: UInt32(scheduler.plan.imageCount),
            shardsDone: UInt32(scheduler.completedShards.count), shards: UInt32(scheduler.plan.count),
            elapsedSeconds: now, workers: workers, instructionSet: instructionSet?.rawValue ?? "")
    }

    private func report(
        _ id: WorkerID, entry: Entry, record: WorkerRecord?, now: Double, instructionSet: InstructionSet?
    ) -> WorkerReport {
        let state: WorkerReport.State =
            if entry.left { .left } else {
                switch record?.state {
                case .working?: .working
                case .dead?: .dead
                case .idle?, nil: .idle
                }
            }
        let joined = record?.joined ?? now
        let lastHeard = record?.lastHeard ?? now
        // A dead or departed worker's rate stops at its last message.
        let activeSeconds = (state == .idle || state == .working ? now : lastHeard) - joined
        // The worker's own count is a heartbeat old; its accepted images are a floor.
        let computed = Double(max(entry.report?.imagesDone ?? 0, UInt32(record?.imagesDone ?? 0)))
        return WorkerReport(
            id: id.description, host: entry.hello.host, pid: entry.hello.pid, threads: entry.hello.threads, state: state,
            currentShard: record?.shards.min().map(UInt32.init), imagesDone: UInt32(record?.imagesDone ?? 0),
            imagesPerSecond: activeSeconds > 0 ? computed / activeSeconds : 0, lastHeartbeatAge: max(0, now - lastHeard),
            residentBytes: entry.report?.residentBytes ?? 0,
            errors: UInt32(max(entry.failures, Int(entry.report?.errors ?? 0))),
            // Pinned, every worker runs on the job's set (its own is at least as wide).
            instructionSet: instructionSet?.rawValue ?? entry.hello.instructionSet)
    }
}
