import Protocol

/// How a shard ended on the inference thread: its encoded statistics and image count, or
/// the reason it failed and whether another worker could do better.
enum ShardOutcome: Sendable {
    case success(UInt32, [UInt8], Int)
    case failure(UInt32, String, ShardFailureKind)
}
