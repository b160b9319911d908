import Core
import Dispatch
import Foundation
import Protocol

/// Checks and merges workers' results on background threads, so that the network loop
/// only moves bytes. A result is checked whole first (`VerifiedStatistics`), then, once
/// the session commits it, its histograms are added straight from their encoding.
///
/// Results are spread over `lanes`, one serial queue each with its own running sums;
/// `finish` adds the lanes' sums to the base statistics. Merging is exact and does not
/// depend on grouping or order, so the output is the same bytes whatever lane a result
/// went to. Verified results wait in their lane until the session commits or discards
/// them; outcomes of verification are collected for the network loop (`takeVerified`).
/// Committed results that queue up behind a busy lane are merged together, up to
/// `largestBatch` at a time (`CalibrationStatistics.merge(_:)` of a batch keeps each
/// tensor's sums in cache while it adds them all).
final class MergePipeline: @unchecked Sendable {
    /// The outcome of one `verify`.
    struct Verification: Sendable {
        let shard: Int
        let worker: WorkerID
        let rejection: ResultRejection?
    }

    private struct Key: Hashable {
        let shard: Int
        let worker: WorkerID
    }

    private final class Lane: @unchecked Sendable {
        let queue: DispatchQueue
        /// Touched on `queue` only.
        var sums: CalibrationStatistics
        var verified: [Key: VerifiedStatistics] = [:]
        /// Committed results waiting to be merged together, and their keys.
        var batch: [VerifiedStatistics] = []
        var batchKeys: [Key] = []
        var error: (any Error)?
        /// Commits handed to `queue` and not yet taken into `batch`; under `commitsLock`.
        var commitsQueued = 0
        let commitsLock = NSLock()

        init(index: Int, empty: CalibrationStatistics) {
            queue = DispatchQueue(label: "calib.merge.\(index)")
            sums = empty
        }
    }

    /// The most committed results merged in one go: enough to amortize bringing a
    /// tensor's sums into cache, few enough that results are settled soon.
    static let largestBatch = 16

    private let check: ResultCheck
    private let lanes: [Lane]
    /// Lane of each result in verification or verified; network thread only.
    private var laneOfResult: [Key: Int] = [:]
    private var nextLane = 0
    private let lock = NSLock()
    private var verifications: [Verification] = []
    private var merged: [(shard: Int, worker: WorkerID)] = []
    private var busySeconds = 0.0

    /// - Parameters:
    ///   - lanes: threads to decode and merge on (at least 1).
    ///   - empty: statistics with the job's tensors and no image, each lane's start.
    init(lanes: Int, check: ResultCheck, empty: CalibrationStatistics) {
        self.check = check
        self.lanes = (0..<max(1, lanes)).map { Lane(index: $0, empty: empty) }
    }

    /// Results handed to `verify` and not yet committed or discarded.
    var held: Int { laneOfResult.count }

    /// CPU seconds spent checking and merging, over all lanes.
    var seconds: Double {
        lock.lock()
        defer { lock.unlock() }
        return busySeconds
    }

    /// Checks `bytes` as the result of `shard` from `worker`; the outcome
    /// comes out of `takeVerified`.
    func verify(shard: Int, from worker: WorkerID, bytes: [UInt8]) {
        let key = Key(shard: shard, worker: worker)
        let index = nextLane
        nextLane = (nextLane + 1) % lanes.count
        laneOfResult[key] = index
        let lane = lanes[index]
        lane.queue.async { [check] in
            let started = ResourceUsage.threadCPUSeconds
            let rejection: ResultRejection?
            switch check.verify(bytes, shard: shard) {
            case let .success(statistics):
                lane.verified[key] = statistics
                rejection = nil
            case let .failure(reason):
                rejection = reason
            }
            self.record(Verification(shard: shard, worker: worker, rejection: rejection), seconds: ResourceUsage.threadCPUSeconds - started, merged: [])
        }
    }

    /// Merges the verified result of `shard` from `worker` into its lane's sums: at once
    /// when the lane is idle, with the other commits queued behind it when it is busy.
    func commit(shard: Int, from worker: WorkerID) {
        let key = Key(shard: shard, worker: worker)
        guard let index = laneOfResult.removeValue(forKey: key) else { return }
        let lane = lanes[index]
        lane.commitsLock.withLock { lane.commitsQueued += 1 }
        lane.queue.async {
            if let statistics = lane.verified.removeValue(forKey: key) { lane.batch.append(statistics) }
            lane.batchKeys.append(key)
            let last = lane.commitsLock.withLock {
                lane.commitsQueued -= 1
                return lane.commitsQueued == 0
            }
            guard last || lane.batchKeys.count >= Self.largestBatch else { return }
            let started = ResourceUsage.threadCPUSeconds
            do { try lane.sums.merge(lane.batch) } catch { lane.error = lane.error ?? error }
            let merged = lane.batchKeys.map { (shard: $0.shard, worker: $0.worker) }
            lane.batch = []
            lane.batchKeys = []
            self.record(nil, seconds: ResourceUsage.threadCPUSeconds - started, merged: merged)
        }
    }

    /// Forgets a verified (or rejected) result.
    func discard(shard: Int, from worker: WorkerID) {
        let key = Key(shard: shard, worker: worker)
        guard let index = laneOfResult.removeValue(forKey: key) else { return }
        let lane = lanes[index]
        lane.queue.async { lane.verified[key] = nil }
    }

    /// Results merged since the last call.
    func takeMerged() -> [(shard: Int, worker: WorkerID)] {
        lock.lock()
        defer { lock.unlock() }
        let taken = merged
        merged = []
        return taken
    }

    /// Outcomes of verification since the last call, in the order they finished.
    func takeVerified() -> [Verification] {
        lock.lock()
        defer { lock.unlock() }
        let taken = verifications
        verifications = []
        return taken
    }

    /// Waits for every lane and returns `base` plus everything committed.
    /// - Throws: `StatisticsError` if two committed results held the same image (the
    ///   session commits one result per shard, so this is a defect).
    func finish(adding base: CalibrationStatistics) throws -> CalibrationStatistics {
        var total = base
        for lane in lanes {
            try lane.queue.sync {
                if let error = lane.error { throw error }
                try total.merge(lane.sums)
            }
        }
        return total
    }

    private func record(_ verification: Verification?, seconds: Double, merged results: [(shard: Int, worker: WorkerID)]) {
        lock.lock()
        if let verification { verifications.append(verification) }
        merged += results
        busySeconds += seconds
        lock.unlock()
    }
}
