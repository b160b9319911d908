/// One accepted shard result read back from a journal.
public struct JournalRecord: Sendable, Equatable {
    /// The shard's id in the run's `ShardPlan`.
    public let shard: Int
    /// The shard's statistics, as the worker sent them (encoded `CalibrationStatistics`).
    public let payload: [UInt8]

    public init(shard: Int, payload: [UInt8]) {
        self.shard = shard
        self.payload = payload
    }
}
