/// What the scheduler decided about a result a worker reported, so the coordinator
/// knows whether to merge its statistics.
public enum Completion: Hashable, Sendable {
    /// The first result for this shard: merge it.
    case accepted
    /// The shard was already complete (a straggler copy or a resent message): drop it.
    case duplicate
    /// Out-of-range shard, or a worker that was never given it: drop it.
    case unknown
}
