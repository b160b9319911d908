/// What a coordinator did while serving, for the end-of-run log and the coordinator
/// benchmark: how many results it merged, how many bytes, how long merging took, and
/// how much of the model it sent.
public struct ServeCounters: Sendable, Equatable {
    /// Results accepted and merged (one per shard computed in this run).
    public internal(set) var resultsAccepted = 0
    /// Encoded statistics bytes of those results.
    public internal(set) var bytesAccepted = 0
    /// Results that arrived after another copy of their shard had been accepted.
    public internal(set) var duplicateResults = 0
    /// Images whose statistics were computed in this run (not resumed from a journal).
    public internal(set) var imagesComputed = 0
    /// CPU seconds spent decoding, checking and merging results, over all merge threads.
    public internal(set) var mergeSeconds = 0.0
    /// Seconds spent appending accepted results to the journal and flushing it.
    public internal(set) var journalSeconds = 0.0
    /// Results merged without a journal record: the disk was behind (`JournalWriter`).
    public internal(set) var resultsNotJournaled = 0
    /// Seconds from the first shard handed out to the end of the run.
    public internal(set) var servingSeconds = 0.0
    /// Seconds between the last result's acceptance and the end: merges still queued then.
    public internal(set) var drainSeconds = 0.0
    /// Model bytes sent to workers.
    public internal(set) var modelBytesSent = 0
    /// The most model bytes sent and not yet acknowledged at once, over all workers.
    public internal(set) var peakModelBytesInFlight = 0

    public init() {}
}
