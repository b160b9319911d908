/// A worker's request for a range of the model's bytes: the zguide's credit-based file
/// transfer, so that no peer ever holds more than a few chunks of a model in flight.
///
/// The model's bytes are its IR text as calib writes it followed by its weights; their
/// SHA-256 is the job's `modelDigest`.
public struct ModelFetch: Sendable, Equatable {
    /// The model asked for: the job's `modelDigest` (64 lowercase hex digits).
    public var digest: String
    /// First byte wanted.
    public var offset: UInt64
    /// Bytes wanted from `offset`; 0 asks for nothing and only reports `received`.
    public var count: UInt32
    /// Bytes of this model the worker has received so far in this download: the
    /// coordinator counts what it sent beyond that as still in flight.
    public var received: UInt64

    public init(digest: String, offset: UInt64, count: UInt32, received: UInt64) {
        self.digest = digest
        self.offset = offset
        self.count = count
        self.received = received
    }
}
