import Core
import Protocol
import Testing

/// The worker's side of a model transfer: credit, the final acknowledgement, and chunks
/// that break the rules.
struct ModelDownloadTests {
    static let digest = SHA256.hex(Array("<x/>abcdef".utf8))

    static func chunk(offset: UInt64, data: String, total: UInt64 = 10, xml: UInt64 = 4) -> ModelChunk {
        ModelChunk(digest: digest, offset: offset, totalBytes: total, xmlBytes: xml, data: Array(data.utf8))
    }

    static func fetches(_ messages: [Message]) -> [ModelFetch] {
        messages.compactMap { if case let .modelFetch(fetch) = $0 { fetch } else { nil } }
    }

    @Test func keepsCreditOutstandingAndAcknowledgesEveryChunk() throws {
        var download = ModelDownload(digest: Self.digest, chunkSize: 4, credit: 2)
        #expect(Self.fetches(download.start()).map(\.offset) == [0, 4])
        #expect(Self.fetches(try download.receive(Self.chunk(offset: 0, data: "<x/>"))).map(\.offset) == [8])
        // Nothing is left to ask: the chunk is acknowledged alone.
        #expect(Self.fetches(try download.receive(Self.chunk(offset: 4, data: "abcd")))
            == [ModelFetch(digest: Self.digest, offset: 10, count: 0, received: 8)])
        let last = Self.fetches(try download.receive(Self.chunk(offset: 8, data: "ef")))
        #expect(last == [ModelFetch(digest: Self.digest, offset: 10, count: 0, received: 10)])
        #expect(download.matchesDigest)
        #expect(download.parts.map { (Array($0.xml), Array($0.weights)) }.map { $0.0 == Array("<x/>".utf8) && $0.1 == Array("abcdef".utf8) } == true)
    }

    @Test func chunksThatBreakTheRulesAreErrors() throws {
        var download = ModelDownload(digest: Self.digest, chunkSize: 4, credit: 2)
        _ = download.start()
        #expect(throws: ModelDownload.Failure.badChunk("offset 12 was not asked for")) {
            try download.receive(Self.chunk(offset: 12, data: "xx"))
        }
        #expect(throws: ModelDownload.Failure.badChunk("3 bytes at offset 0, 4 expected")) {
            try download.receive(Self.chunk(offset: 0, data: "<x/"))
        }
        var sized = ModelDownload(digest: Self.digest, chunkSize: 4, credit: 2, maxTotalBytes: 8)
        _ = sized.start()
        #expect(throws: ModelDownload.Failure.badChunk("a model of 10 bytes is larger than the 8 accepted")) {
            try sized.receive(Self.chunk(offset: 0, data: "<x/>"))
        }
        var changing = ModelDownload(digest: Self.digest, chunkSize: 4, credit: 2)
        _ = changing.start()
        _ = try changing.receive(Self.chunk(offset: 0, data: "<x/>"))
        #expect(throws: ModelDownload.Failure.badChunk("the model's size changed from 10 to 12 bytes")) {
            try changing.receive(Self.chunk(offset: 4, data: "abcd", total: 12))
        }
    }

    @Test func bytesThatDoNotHashToTheDigestDoNotMatch() throws {
        var download = ModelDownload(digest: Self.digest, chunkSize: 16, credit: 1)
        _ = download.start()
        _ = try download.receive(Self.chunk(offset: 0, data: "<x/>abcdeF"))
        #expect(download.isComplete)
        #expect(!download.matchesDigest)
    }
}
