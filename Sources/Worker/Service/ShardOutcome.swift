/// How a shard ended on the inference thread: its encoded statistics and image count, or
/// the reason it failed.
enum ShardOutcome: Sendable {
    case success(UInt32, [UInt8], Int)
    case failure(UInt32, String)
}
