import Core
import Protocol

/// A job prepared on a background thread: the model read and checked against its digest
/// and the inference compiled, or why not. `generation` ties it to the connection and job
/// it was started for, so a preparation for an abandoned job is dropped.
struct JobPreparation: Sendable {
    /// Why a preparation did not give a ready job.
    enum Failure: Error, Sendable {
        /// The model is neither in memory nor in the cache: fetch it from the coordinator.
        case notCached
        /// The model bytes received do not hash to the job's digest: ask for them again.
        case digestMismatch
        /// The job cannot be served here (the model does not read or compile, the image
        /// reader is unknown); the reason goes to the coordinator in `jobFailed`.
        case cannotServe(String)
    }

    let generation: Int
    let spec: JobSpec
    let outcome: Result<(graph: IRGraph, processor: ShardProcessor), Failure>
    /// Seconds spent reading the model (and checking its digest) and compiling it, for
    /// the start-up line of the log.
    var readSeconds = 0.0
    var compileSeconds = 0.0
    /// Seconds spent waiting for another worker's compile on the shared cache folder.
    var cacheWaitSeconds = 0.0
}
