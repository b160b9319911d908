/// Whether a shard that failed on one worker could succeed on another, so that the
/// coordinator retries only what is worth retrying.
///
/// Every worker gets the same image bytes from the coordinator and decodes them with the
/// same reader: an image that does not decode on one worker fails on all of them, and
/// retrying it only delays the error. An inference error or a worker in trouble is
/// particular to that worker.
public enum ShardFailureKind: String, Sendable, Equatable, CaseIterable {
    /// The worker met an error of its own (inference, memory): another worker may succeed.
    case transient
    /// The shard's input cannot be used by any worker: an image whose bytes do not decode.
    case input
}
