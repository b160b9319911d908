import Foundation

/// Appends accepted results to the ``ResultJournal`` on a thread of its own, so that
/// neither the network loop nor merging waits for the disk. Results that come in while a
/// flush runs are written together with one flush (a group commit) of at most
/// `batchBytes`.
///
/// The journal only saves work for a `--resume`, so it never holds the run up: queued
/// payloads are capped at `budget` bytes, a result that would go over it is not journaled
/// (a resume computes it again), and `abandon` drops what is still queued once the last
/// result is merged. A failure (a full disk) is kept and reported by `failure`; results
/// after it are not written.
final class JournalWriter: @unchecked Sendable {
    /// Bytes of payload written with one flush at most: `abandon` waits for one such batch.
    static let batchBytes = 16 << 20
    private let journal: ResultJournal
    private let budget: Int
    private let queue: DispatchQueue
    private let lock = NSLock()
    private var waiting: [(shard: Int, payload: [UInt8])] = []
    private var waitingBytes = 0
    private var scheduled = false
    private var error: (any Error)?
    private var busySeconds = 0.0
    private var notWritten = 0

    /// Bytes of payload queued at most, unless told otherwise.
    static let defaultBudget = 64 << 20

    /// - Parameters:
    ///   - budget: bytes of payload queued at most.
    ///   - queue: the serial queue that writes (a test may suspend it).
    init(journal: ResultJournal, budget: Int = defaultBudget, queue: DispatchQueue = DispatchQueue(label: "calib.journal")) {
        self.journal = journal
        self.budget = budget
        self.queue = queue
    }

    /// Queues the result of `shard` for the journal; false when the queue is full (the
    /// disk is behind) and the result will not be journaled.
    func append(shard: Int, payload: [UInt8]) -> Bool {
        lock.lock()
        guard waitingBytes + payload.count <= budget || waiting.isEmpty else {
            notWritten += 1
            lock.unlock()
            return false
        }
        waiting.append((shard, payload))
        waitingBytes += payload.count
        let start = !scheduled
        scheduled = true
        lock.unlock()
        if start { queue.async { self.drain() } }
        return true
    }

    /// The first write error, if any.
    var failure: (any Error)? {
        lock.lock()
        defer { lock.unlock() }
        return error
    }

    /// Seconds spent writing and flushing so far.
    var seconds: Double {
        lock.lock()
        defer { lock.unlock() }
        return busySeconds
    }

    /// Results accepted and not journaled: refused by a full queue or dropped by `abandon`.
    var resultsNotWritten: Int {
        lock.lock()
        defer { lock.unlock() }
        return notWritten
    }

    /// Waits until everything queued is on disk (a run that fails keeps what it merged).
    /// - Throws: the first write error.
    func finish() throws {
        queue.sync {}
        if let failure { throw failure }
    }

    /// Drops the results still queued and waits for the batch being written.
    /// - Returns: how many were dropped.
    /// - Throws: the first write error.
    @discardableResult
    func abandon() throws -> Int {
        let dropped = dropQueued()
        try finish()
        return dropped
    }

    /// Drops the results still queued (not the batch being written); returns how many.
    func dropQueued() -> Int {
        lock.lock()
        defer { lock.unlock() }
        let dropped = waiting.count
        notWritten += dropped
        waiting = []
        waitingBytes = 0
        return dropped
    }

    private func drain() {
        while true {
            lock.lock()
            var count = 0
            var bytes = 0
            while count < waiting.count, count == 0 || bytes + waiting[count].payload.count <= Self.batchBytes {
                bytes += waiting[count].payload.count
                count += 1
            }
            let batch = Array(waiting.prefix(count))
            waiting.removeFirst(count)
            waitingBytes -= bytes
            if batch.isEmpty { scheduled = false }
            let failed = error != nil
            lock.unlock()
            guard !batch.isEmpty else { return }
            guard !failed else { continue }
            let clock = ContinuousClock()
            let start = clock.now
            do {
                try journal.append(batch)
            } catch {
                lock.lock()
                self.error = error
                lock.unlock()
            }
            let elapsed = (clock.now - start) / .seconds(1)
            lock.lock()
            busySeconds += elapsed
            lock.unlock()
        }
    }
}
