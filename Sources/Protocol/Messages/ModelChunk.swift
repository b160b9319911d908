/// One range of the model's bytes, the coordinator's answer to one ``ModelFetch``.
public struct ModelChunk: Sendable, Equatable {
    /// The model's digest, as in the fetch.
    public var digest: String
    /// Where `data` starts in the model's bytes (the fetch's offset).
    public var offset: UInt64
    /// Size of the whole model: IR text and weights.
    public var totalBytes: UInt64
    /// Size of the IR text, which comes first; the weights follow it.
    public var xmlBytes: UInt64
    /// The bytes from `offset`: as many as asked, fewer at the end of the model, none
    /// past it.
    public var data: [UInt8]

    public init(digest: String, offset: UInt64, totalBytes: UInt64, xmlBytes: UInt64, data: [UInt8]) {
        self.digest = digest
        self.offset = offset
        self.totalBytes = totalBytes
        self.xmlBytes = xmlBytes
        self.data = data
    }
}
