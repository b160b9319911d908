/// Something that happened to one worker of a distributed run, at a time since the run
/// started: the coordinator records them, the report draws them as a timeline.
public struct WorkerEvent: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// A shard's result was accepted, with its number of images.
        case accepted(images: Int)
        /// A shard failed on the worker, or the worker could not serve the job.
        case failed
        /// The worker missed its heartbeats and was declared dead.
        case dead
        /// The worker said goodbye.
        case left
    }

    /// The worker's id as `calib status` shows it.
    public let worker: String
    /// Seconds since the coordinator started serving.
    public let seconds: Double
    public let kind: Kind

    public init(worker: String, seconds: Double, kind: Kind) {
        self.worker = worker
        self.seconds = seconds
        self.kind = kind
    }
}
