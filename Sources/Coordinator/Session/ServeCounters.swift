/// What a coordinator did while serving, for the end-of-run log and the coordinator
/// benchmark: how many results it merged, how many bytes, and how long merging took.
public struct ServeCounters: Sendable, Equatable {
    /// Results accepted and merged (one per shard computed in this run).
    public internal(set) var resultsAccepted = 0
    /// Encoded statistics bytes of those results.
    public internal(set) var bytesAccepted = 0
    /// Results that arrived after another copy of their shard had been accepted.
    public internal(set) var duplicateResults = 0
    /// Images whose statistics were computed in this run (not resumed from a journal).
    public internal(set) var imagesComputed = 0
    /// Seconds spent decoding and merging accepted results.
    public internal(set) var mergeSeconds = 0.0
    /// Seconds spent appending accepted results to the journal and flushing it.
    public internal(set) var journalSeconds = 0.0

    public init() {}
}
