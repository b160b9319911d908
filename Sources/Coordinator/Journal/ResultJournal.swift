import Foundation

/// The coordinator's journal of accepted shard results on disk (`JournalFormat`), so a
/// coordinator that was killed can be restarted and keep every result it had accepted.
///
/// Each `append` is on disk when it returns. The file is created under a temporary name
/// and linked into place once its header is flushed, so it never exists half-made. An
/// open journal holds an exclusive lock on the file, so two coordinators cannot extend
/// the same journal. The file descriptor is closed by `close`, `remove` or deinit.
public final class ResultJournal {
    /// The journal's file.
    public let path: String
    /// The number of shards of the job; `append` takes ids in `0..<shardCount`.
    public let shardCount: Int
    /// True when this journal was created now (`create`, or `resume` finding no file),
    /// so there was nothing to resume.
    public let wasCreated: Bool

    /// -1 once closed.
    private var descriptor: Int32
    /// Bytes of header and complete records: where the next record goes.
    private var length: Int

    init(path: String, shardCount: Int, descriptor: Int32, length: Int, wasCreated: Bool) {
        self.path = path
        self.shardCount = shardCount
        self.descriptor = descriptor
        self.length = length
        self.wasCreated = wasCreated
    }

    deinit {
        close()
    }

    /// Creates the journal of a new run: writes the header and flushes it and the
    /// folder. Throws `JournalError.exists` if `path` exists, so an unfinished run's
    /// journal is only continued on purpose (`resume`).
    public static func create(path: String, jobKey: String, shardCount: Int) throws -> ResultJournal {
        let header = JournalFormat.header(jobKey: jobKey, shardCount: shardCount)
        let staging = stagingPath(for: path)
        let descriptor = open(staging, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw JournalError.io(path: path, operation: "creation", code: errno) }
        defer { unlink(staging) }
        let journal = ResultJournal(path: path, shardCount: shardCount, descriptor: descriptor, length: 0, wasCreated: true)
        try journal.lock()
        try journal.write(header, operation: "header write")
        try journal.flush(operation: "header flush")
        guard link(staging, path) == 0 else {
            let code = errno
            throw code == EEXIST ? JournalError.exists(path: path) : JournalError.io(path: path, operation: "creation", code: code)
        }
        try flushFolder(of: path)
        journal.length = header.count
        return journal
    }

    /// Opens the journal of an interrupted run and returns it with what it holds. Damage
    /// at the end (a record cut short by the kill) is cut off the file, so appends follow
    /// the last intact record; `contents.damage` says what was dropped. A missing file is
    /// created as by `create` (`journal.wasCreated` is then true). Throws `JournalError`
    /// when the file is not a journal or belongs to another job or shard count.
    public static func resume(
        path: String, jobKey: String, shardCount: Int
    ) throws -> (journal: ResultJournal, contents: JournalContents) {
        let descriptor = open(path, O_RDWR | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            guard code == ENOENT else { throw JournalError.io(path: path, operation: "open", code: code) }
            let journal = try create(path: path, jobKey: jobKey, shardCount: shardCount)
            let empty = JournalContents(
                jobKey: jobKey, shardCount: shardCount, records: [], intactLength: journal.length, damage: nil)
            return (journal, empty)
        }
        let journal = ResultJournal(path: path, shardCount: shardCount, descriptor: descriptor, length: 0, wasCreated: false)
        try journal.lock()
        let bytes = try journal.readAll()
        let contents = try JournalFormat.decode(bytes, path: path)
        guard contents.jobKey == jobKey else {
            throw JournalError.otherJob(path: path, found: contents.jobKey, expected: jobKey)
        }
        guard contents.shardCount == shardCount else {
            throw JournalError.shardCountMismatch(path: path, found: contents.shardCount, expected: shardCount)
        }
        if contents.intactLength < bytes.count {
            guard ftruncate(descriptor, off_t(contents.intactLength)) == 0 else {
                throw JournalError.io(path: path, operation: "cutting to \(contents.intactLength) bytes", code: errno)
            }
            try journal.flush(operation: "flush after cutting")
        }
        journal.length = contents.intactLength
        return (journal, contents)
    }

    /// Appends the accepted result of `shard` and flushes it to disk. On failure (a full
    /// disk, say) the file is cut back to its previous length where possible; otherwise
    /// the partial record stays at the end, where decoding detects and drops it, and the
    /// next append overwrites it.
    public func append(shard: Int, payload: [UInt8]) throws {
        try append([(shard, payload)])
    }

    /// Appends several accepted results with one flush (a group commit): all of them are
    /// on disk when it returns, or, on failure, none is counted (as for one record).
    public func append(_ results: [(shard: Int, payload: [UInt8])]) throws {
        guard descriptor >= 0 else { throw JournalError.closed(path: path) }
        let start = length
        do {
            for (shard, payload) in results {
                precondition((0..<shardCount).contains(shard), "shard \(shard) is outside 0..<\(shardCount)")
                let record = JournalFormat.record(shard: shard, payload: payload)
                try write(record, operation: "writing shard \(shard)")
                length += record.count
            }
            try flush(operation: results.count == 1 ? "flushing shard \(results[0].shard)" : "flushing \(results.count) shards")
        } catch {
            length = start
            _ = ftruncate(descriptor, off_t(length))
            throw error
        }
    }

    /// Deletes the journal once the run's output is written, and closes it.
    public func remove() throws {
        defer { close() }
        if unlink(path) != 0 {
            let code = errno
            guard code == ENOENT else { throw JournalError.io(path: path, operation: "removal", code: code) }
        }
        try Self.flushFolder(of: path)
    }

    /// Deletes the journal at `path` unless a coordinator holds it open (its lock); returns
    /// false, leaving it, when one does. A missing file is not an error.
    public static func removeUnlessInUse(path: String) throws -> Bool {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            let code = errno
            guard code == ENOENT else { throw JournalError.io(path: path, operation: "open", code: code) }
            return true
        }
        defer { _ = Foundation.close(descriptor) }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            guard code == EWOULDBLOCK else { throw JournalError.io(path: path, operation: "locking", code: code) }
            return false
        }
        guard unlink(path) == 0 || errno == ENOENT else { throw JournalError.io(path: path, operation: "removal", code: errno) }
        return true
    }

    /// Closes the file (releasing its lock); later appends throw `JournalError.closed`.
    public func close() {
        guard descriptor >= 0 else { return }
        _ = Foundation.close(descriptor)
        descriptor = -1
    }

    // MARK: System calls

    private func lock() throws {
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let code = errno
            throw code == EWOULDBLOCK ? JournalError.inUse(path: path) : JournalError.io(path: path, operation: "locking", code: code)
        }
    }

    /// Writes all of `bytes` at `length`, the end of the intact part.
    private func write(_ bytes: [UInt8], operation: String) throws {
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = pwrite(descriptor, buffer.baseAddress! + written, buffer.count - written, off_t(length + written))
                if result < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    throw JournalError.io(path: path, operation: operation, code: code)
                }
                written += result
            }
        }
    }

    private func flush(operation: String) throws {
        guard fsync(descriptor) == 0 else { throw JournalError.io(path: path, operation: operation, code: errno) }
    }

    private func readAll() throws -> [UInt8] {
        var bytes = [UInt8]()
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let result = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                throw JournalError.io(path: path, operation: "reading", code: code)
            }
            if result == 0 { return bytes }
            bytes += chunk[0..<result]
        }
    }

    /// Flushes the folder holding `path`, so that a created or removed name is on disk.
    private static func flushFolder(of path: String) throws {
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        let descriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { throw JournalError.io(path: path, operation: "opening its folder", code: errno) }
        defer { _ = Foundation.close(descriptor) }
        guard fsync(descriptor) == 0 else { throw JournalError.io(path: path, operation: "flushing its folder", code: errno) }
    }

    /// A name next to `path` for the journal before its header is on disk.
    private static func stagingPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial").path
    }
}
