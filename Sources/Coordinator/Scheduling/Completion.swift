/// What the scheduler decided about a result a worker reported, so the coordinator
/// knows whether to merge its statistics.
public enum Completion: Hashable, Sendable {
    /// The first result for this shard: merge it.
    case accepted
    /// The shard was already complete (a straggler copy or a resent message): drop it.
    case duplicate
    /// Rejected: a shard out of the plan, or one this worker was never given: drop it.
    case rejected
}
