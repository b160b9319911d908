import Foundation

/// Appends accepted results to the ``ResultJournal`` on a thread of its own, so the
/// network loop never waits for the disk. Results that come in while a flush runs are
/// written together with one flush (a group commit).
///
/// A failure (a full disk) is kept and reported by `failure` and `finish`; results after
/// it are not written, and a later `--resume` recomputes them.
final class JournalWriter: @unchecked Sendable {
    private let journal: ResultJournal
    private let queue = DispatchQueue(label: "calib.journal")
    private let lock = NSLock()
    private var waiting: [(shard: Int, payload: [UInt8])] = []
    private var scheduled = false
    private var error: (any Error)?
    private var busySeconds = 0.0
    private var written: [Int] = []

    init(journal: ResultJournal) {
        self.journal = journal
    }

    /// Queues the result of `shard` for the journal.
    func append(shard: Int, payload: [UInt8]) {
        lock.lock()
        waiting.append((shard, payload))
        let start = !scheduled
        scheduled = true
        lock.unlock()
        if start { queue.async { self.drain() } }
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

    /// Shards whose result reached the disk since the last call.
    func takeWritten() -> [Int] {
        lock.lock()
        defer { lock.unlock() }
        let taken = written
        written = []
        return taken
    }

    /// Waits until everything queued is on disk.
    /// - Throws: the first write error.
    func finish() throws {
        queue.sync {}
        if let failure { throw failure }
    }

    private func drain() {
        while true {
            lock.lock()
            let batch = waiting
            waiting = []
            if batch.isEmpty { scheduled = false }
            let failed = error != nil
            lock.unlock()
            guard !batch.isEmpty else { return }
            guard !failed else { continue }
            let clock = ContinuousClock()
            let start = clock.now
            do {
                try journal.append(batch)
                lock.lock()
                written += batch.map(\.shard)
                lock.unlock()
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
