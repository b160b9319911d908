import Foundation

/// Why a result journal could not be created, read or extended; every case names the
/// file, and the ones the user has to act on say what to do.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file does not start with the journal magic.
    case notJournal(path: String)
    /// The journal was written in a format version this build does not read.
    case unsupportedVersion(path: String, found: UInt16, supported: UInt16)
    /// The header is incomplete or fails its checksum.
    case damagedHeader(path: String, reason: String)
    /// The journal was written by a run of another job (another model, image list or
    /// shard size); `found` and `expected` are the two job keys.
    case otherJob(path: String, found: String, expected: String)
    /// The journal's job was cut into another number of shards.
    case shardCountMismatch(path: String, found: Int, expected: Int)
    /// A journal is in the way of a run that does not resume.
    case exists(path: String)
    /// Another open journal (another coordinator) holds the file.
    case inUse(path: String)
    /// `append` was called after `close` or `remove`.
    case closed(path: String)
    /// A system call failed with `errno` `code`; `operation` says what was being done.
    case io(path: String, operation: String, code: Int32)

    /// True when the file is a journal, but of another job, shard count or format: one a
    /// run of this job can replace without losing anything it could use.
    public var isOfAnotherJob: Bool {
        switch self {
        case .otherJob, .shardCountMismatch, .unsupportedVersion, .damagedHeader: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case let .notJournal(path):
            "'\(path)' is not a calib result journal (no CALIBJNL magic)"
        case let .unsupportedVersion(path, found, supported):
            "result journal '\(path)' has format version \(found); this build reads version \(supported)"
        case let .damagedHeader(path, reason):
            "result journal '\(path)' has a damaged header (\(reason)): delete it to start over"
        case let .otherJob(path, found, expected):
            "result journal '\(path)' belongs to another job (\(found.prefix(12)), not \(expected.prefix(12))): "
                + "the model, the images or the options changed; run without --resume to start over, or delete it"
        case let .shardCountMismatch(path, found, expected):
            "result journal '\(path)' is for \(found) shards, not \(expected): run without --resume to start over, or delete it"
        case let .exists(path):
            "result journal '\(path)' exists from an unfinished run: pass --resume to continue it, or delete it"
        case let .inUse(path):
            "result journal '\(path)' is in use by another coordinator"
        case let .closed(path):
            "result journal '\(path)' is closed: nothing more can be appended"
        case let .io(path, operation, code):
            "result journal '\(path)': \(operation) failed: \(String(cString: strerror(code)))"
        }
    }
}
