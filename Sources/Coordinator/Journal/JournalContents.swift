/// What a journal holds: the job it belongs to and the results it kept.
public struct JournalContents: Sendable, Equatable {
    /// The job key written in the header.
    public let jobKey: String
    /// The number of shards the job was cut into.
    public let shardCount: Int
    /// The intact records in file order; a shard recorded twice keeps its first record.
    public let records: [JournalRecord]
    /// Bytes from the start of the file to the end of the last intact record: the
    /// length the file is cut back to before appending more.
    public let intactLength: Int
    /// What was wrong with the bytes after `intactLength`, on one line, when there were
    /// any (records are numbered from 0 in file order, duplicates included); nil when the
    /// journal ended cleanly after its last record.
    public let damage: String?
}
