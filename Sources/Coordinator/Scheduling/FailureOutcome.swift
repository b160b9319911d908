/// What the scheduler decided about a failure a worker reported, so the coordinator
/// knows whether to carry on or stop with an error.
public enum FailureOutcome: Hashable, Sendable {
    /// The shard will run again (re-queued, or still running on another worker).
    case retry
    /// The shard failed too often; the run cannot complete. Carries the message.
    case fatal(String)
    /// Nothing to do: the shard is complete, out of range, or not the worker's.
    case ignored
}
