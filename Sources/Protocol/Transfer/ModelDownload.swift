import Core

/// A worker's side of a model transfer, as a pure state machine: it keeps `credit`
/// fetches of `chunkSize` bytes outstanding and answers every chunk that carries bytes
/// with one fetch: the next range, or, once nothing is left to ask, a `count` 0 fetch that
/// only acknowledges. So the coordinator always knows how much is still in flight (the
/// zguide's credit-based file transfer).
///
/// Chunks are checked against what was asked: an unsolicited offset, a size other than
/// the one asked (short only at the end), or a total that changes are errors; chunks
/// of another model are ignored.
public struct ModelDownload: Sendable {
    /// Why a download cannot go on.
    public enum Failure: Error, Sendable, Equatable, CustomStringConvertible {
        /// A chunk that breaks the transfer's rules, in words.
        case badChunk(String)

        public var description: String {
            switch self {
            case let .badChunk(reason): "the coordinator sent a bad model chunk: \(reason)"
            }
        }
    }

    /// The model being fetched.
    public let digest: String
    /// Bytes asked for in one fetch.
    public let chunkSize: Int
    /// Fetches kept outstanding.
    public let credit: Int
    /// Largest model accepted, bytes.
    public let maxTotalBytes: UInt64

    private var buffer: [UInt8] = []
    private var total: Int?
    private var xmlBytes = 0
    /// Bytes received so far.
    public private(set) var received = 0
    private var nextOffset = 0
    private var outstanding = Set<Int>()

    /// - Parameters:
    ///   - chunkSize: bytes per fetch, 1 to ``ModelTransferLimits/maxChunkBytes``.
    ///   - credit: fetches in flight, at least 1.
    public init(
        digest: String, chunkSize: Int = ModelTransferLimits.defaultChunkBytes, credit: Int = ModelTransferLimits.defaultCredit,
        maxTotalBytes: UInt64 = ModelTransferLimits.maxModelBytes
    ) {
        precondition(chunkSize >= 1 && chunkSize <= ModelTransferLimits.maxChunkBytes, "chunk size out of range")
        precondition(credit >= 1, "credit must be at least 1")
        self.digest = digest
        self.chunkSize = chunkSize
        self.credit = credit
        self.maxTotalBytes = maxTotalBytes
    }

    /// True once every byte arrived.
    public var isComplete: Bool { total.map { received == $0 } ?? false }

    /// The first fetches: `credit` of them, from the start (the size is not known yet).
    public mutating func start() -> [Message] {
        (0..<credit).map { _ in nextFetch() }
    }

    /// Takes one chunk in; returns the fetch to send now (the next range, or an
    /// acknowledgement), none for an empty chunk.
    /// - Throws: ``Failure/badChunk(_:)`` for a chunk that breaks the rules.
    public mutating func receive(_ chunk: ModelChunk) throws(Failure) -> [Message] {
        guard chunk.digest == digest else { return [] }
        guard chunk.offset <= UInt64(Int.max), outstanding.remove(Int(chunk.offset)) != nil else {
            throw .badChunk("offset \(chunk.offset) was not asked for")
        }
        let offset = Int(chunk.offset)
        let total = try establishTotal(chunk)
        let expected = max(0, min(chunkSize, total - offset))
        guard chunk.data.count == expected else {
            throw .badChunk("\(chunk.data.count) bytes at offset \(offset), \(expected) expected")
        }
        buffer.replaceSubrange(offset..<offset + expected, with: chunk.data)
        received += expected
        guard expected > 0 else { return [] }
        if nextOffset < total { return [nextFetch()] }
        return [.modelFetch(ModelFetch(digest: digest, offset: UInt64(total), count: 0, received: UInt64(received)))]
    }

    /// The model's IR text and weights, once complete.
    public var parts: (xml: ArraySlice<UInt8>, weights: ArraySlice<UInt8>)? {
        guard isComplete else { return nil }
        return (buffer[..<xmlBytes], buffer[xmlBytes...])
    }

    /// True when the bytes received hash to the digest asked for.
    public var matchesDigest: Bool {
        guard isComplete else { return false }
        return CryptoSHA256.hex(buffer) == digest
    }

    private mutating func nextFetch() -> Message {
        let offset = nextOffset
        nextOffset += chunkSize
        outstanding.insert(offset)
        return .modelFetch(ModelFetch(digest: digest, offset: UInt64(offset), count: UInt32(chunkSize), received: UInt64(received)))
    }

    /// The size every chunk must agree on; allocates the buffer at the first chunk.
    private mutating func establishTotal(_ chunk: ModelChunk) throws(Failure) -> Int {
        if let total {
            guard chunk.totalBytes == UInt64(total), chunk.xmlBytes == UInt64(xmlBytes) else {
                throw .badChunk("the model's size changed from \(total) to \(chunk.totalBytes) bytes")
            }
            return total
        }
        guard chunk.totalBytes <= maxTotalBytes else {
            throw .badChunk("a model of \(chunk.totalBytes) bytes is larger than the \(maxTotalBytes) accepted")
        }
        guard chunk.xmlBytes <= chunk.totalBytes else {
            throw .badChunk("IR text of \(chunk.xmlBytes) bytes in a model of \(chunk.totalBytes)")
        }
        let size = Int(chunk.totalBytes)
        total = size
        xmlBytes = Int(chunk.xmlBytes)
        buffer = [UInt8](repeating: 0, count: size)
        return size
    }
}
