import Logging
import Protocol

/// What ``CoordinatorSession`` asks its shell to do; the shell does it and feeds back
/// what came of it (a verified result), never deciding anything itself.
public enum CoordinatorAction: Sendable {
    /// Send `message` to `worker`.
    case send(Message, to: WorkerID)
    /// Send shard `shard`'s images to `worker` (the shell reads them, ahead of need).
    case sendShard(Int, to: WorkerID)
    /// Decode `statistics`, the result of `shard` from `worker`, and check it against the
    /// job off the network thread; answer with ``CoordinatorSession/verified(shard:from:rejection:at:)``.
    case verify(shard: Int, from: WorkerID, statistics: [UInt8])
    /// The verified result of `shard` from `worker` is the shard's: merge it, and queue
    /// `statistics` (its bytes) for the journal.
    case commit(shard: Int, from: WorkerID, statistics: [UInt8])
    /// A verified result that is not needed after all: forget it.
    case discard(shard: Int, from: WorkerID)
    /// Write a log line.
    case log(Logger.Level, String)
}
