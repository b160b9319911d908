import Foundation
import Protocol

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

    /// Nil once closed.
    private var file: PosixFile?
    /// Bytes of header and complete records: where the next record goes.
    private var length: Int

    init(path: String, shardCount: Int, file: PosixFile, length: Int, wasCreated: Bool) {
        self.path = path
        self.shardCount = shardCount
        self.file = file
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
        let staging = PosixFile.stagingPath(for: path)
        let file = try io { () throws(SystemCallError) in
            try PosixFile.open(staging, flags: O_WRONLY | O_CREAT | O_TRUNC, operation: "creation", reportedAs: path)
        }
        defer { unlink(staging) }
        let journal = ResultJournal(path: path, shardCount: shardCount, file: file, length: 0, wasCreated: true)
        try journal.lock()
        try io { () throws(SystemCallError) in
            try file.writeAll(header, at: 0, operation: "header write")
            try file.flush(operation: "header flush")
        }
        guard link(staging, path) == 0 else {
            let code = errno
            throw code == EEXIST ? JournalError.exists(path: path) : JournalError.io(path: path, operation: "creation", code: code)
        }
        try io { () throws(SystemCallError) in try PosixFile.flushFolder(of: path) }
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
        let file: PosixFile
        do {
            file = try PosixFile.open(path, flags: O_RDWR)
        } catch where error.code == ENOENT {
            let journal = try create(path: path, jobKey: jobKey, shardCount: shardCount)
            let empty = JournalContents(
                jobKey: jobKey, shardCount: shardCount, records: [], intactLength: journal.length, damage: nil)
            return (journal, empty)
        } catch {
            throw JournalError.io(path: path, operation: error.operation, code: error.code)
        }
        let journal = ResultJournal(path: path, shardCount: shardCount, file: file, length: 0, wasCreated: false)
        try journal.lock()
        let bytes = try io { () throws(SystemCallError) in try file.readAll() }
        let contents = try JournalFormat.decode(bytes, path: path)
        guard contents.jobKey == jobKey else {
            throw JournalError.otherJob(path: path, found: contents.jobKey, expected: jobKey)
        }
        guard contents.shardCount == shardCount else {
            throw JournalError.shardCountMismatch(path: path, found: contents.shardCount, expected: shardCount)
        }
        if contents.intactLength < bytes.count {
            try io { () throws(SystemCallError) in
                try file.truncate(to: contents.intactLength)
                try file.flush(operation: "flush after cutting")
            }
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
        guard let file else { throw JournalError.closed(path: path) }
        let start = length
        do {
            for (shard, payload) in results {
                precondition((0..<shardCount).contains(shard), "shard \(shard) is outside 0..<\(shardCount)")
                let record = JournalFormat.record(shard: shard, payload: payload)
                try file.writeAll(record, at: length, operation: "writing shard \(shard)")
                length += record.count
            }
            try file.flush(operation: results.count == 1 ? "flushing shard \(results[0].shard)" : "flushing \(results.count) shards")
        } catch {
            length = start
            try? file.truncate(to: length)
            throw JournalError.io(path: path, operation: error.operation, code: error.code)
        }
    }

    /// Deletes the journal once the run's output is written, and closes it.
    public func remove() throws {
        defer { close() }
        if unlink(path) != 0 {
            let code = errno
            guard code == ENOENT else { throw JournalError.io(path: path, operation: "removal", code: code) }
        }
        try Self.io { () throws(SystemCallError) in try PosixFile.flushFolder(of: path) }
    }

    /// Deletes the journal at `path` unless a coordinator holds it open (its lock); returns
    /// false, leaving it, when one does. A missing file is not an error.
    public static func removeUnlessInUse(path: String) throws -> Bool {
        let file: PosixFile
        do {
            file = try PosixFile.open(path, flags: O_RDONLY)
        } catch where error.code == ENOENT {
            return true
        } catch {
            throw JournalError.io(path: path, operation: error.operation, code: error.code)
        }
        defer { try? file.close() }
        guard try io({ () throws(SystemCallError) in try file.lockExclusively() }) else { return false }
        guard unlink(path) == 0 || errno == ENOENT else { throw JournalError.io(path: path, operation: "removal", code: errno) }
        return true
    }

    /// Closes the file (releasing its lock); later appends throw `JournalError.closed`.
    public func close() {
        try? file?.close()
        file = nil
    }

    /// Takes the journal's lock: `JournalError.inUse` when another coordinator holds it.
    private func lock() throws {
        guard let file, try Self.io({ () throws(SystemCallError) in try file.lockExclusively() }) else {
            throw JournalError.inUse(path: path)
        }
    }

    /// `body`, with a failed system call as `JournalError.io`.
    private static func io<Result>(_ body: () throws(SystemCallError) -> Result) throws(JournalError) -> Result {
        do {
            return try body()
        } catch {
            throw .io(path: error.path, operation: error.operation, code: error.code)
        }
    }
}
