import Foundation
import Logging
import Protocol
import Testing
import Worker

/// The worker's model cache: a damaged model or compiled blob is never used, and a cache
/// folder that cannot be used does not stop a worker.
struct ModelCacheTests {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("calib-cache-\(UUID().uuidString)").path

    @Test func aDamagedModelIsAMissAndIsRemoved() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = ModelCache(directory: folder)
        let xml = Array("<net/>".utf8)
        let weights: [UInt8] = [1, 2, 3, 4]
        let digest = CryptoSHA256.hex(xml, weights)
        try cache.store(digest: digest, xml: xml, weights: weights)
        #expect(cache.load(digest: digest).map { $0.xml == xml && $0.weights == weights } == true)
        try Data([1, 2, 3, 5]).write(to: URL(fileURLWithPath: "\(folder)/models/\(digest).bin"))
        #expect(cache.load(digest: digest) == nil)
        #expect(!FileManager.default.fileExists(atPath: "\(folder)/models/\(digest).xml"))
    }

    @Test func compiledBlobsThatDoNotMatchTheirRecordAreRemoved() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = ModelCache(directory: folder)
        try FileManager.default.createDirectory(atPath: cache.compiledModels, withIntermediateDirectories: true)
        let blob = cache.compiledModels + "/123.blob"
        try Data(repeating: 7, count: 1000).write(to: URL(fileURLWithPath: blob))
        try cache.recordCompiledModels()
        #expect(cache.removeDamagedCompiledModels() == 0)
        #expect(FileManager.default.fileExists(atPath: blob))
        // One bit flipped in the middle: OpenVINO would import it without a word.
        var bytes = try Data(contentsOf: URL(fileURLWithPath: blob))
        bytes[500] ^= 0x10
        try bytes.write(to: URL(fileURLWithPath: blob))
        #expect(cache.removeDamagedCompiledModels() == 1)
        #expect(!FileManager.default.fileExists(atPath: blob))
        #expect(!FileManager.default.fileExists(atPath: blob + ".sha256"))
        // A blob without a record (cut short by a kill before it was recorded) goes too.
        try Data(repeating: 1, count: 10).write(to: URL(fileURLWithPath: cache.compiledModels + "/456.blob"))
        #expect(cache.removeDamagedCompiledModels() == 1)
    }

    /// Two workers on one machine compile one after the other: the second finds the blob
    /// the first wrote whole and recorded, never one still being written.
    @Test func compilesSharingTheCacheTakeTurns() async throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = ModelCache(directory: folder)
        let spans = await withTaskGroup(of: (start: ContinuousClock.Instant, end: ContinuousClock.Instant).self) { group in
            for _ in 0..<2 {
                group.addTask {
                    cache.withCompiledModelsLocked {
                        let start = ContinuousClock.now
                        usleep(200_000)
                        return (start, ContinuousClock.now)
                    }
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        #expect(spans.count == 2)
        #expect(spans[0].end <= spans[1].start || spans[1].end <= spans[0].start, "the two compiles overlapped: \(spans)")
        #expect(FileManager.default.fileExists(atPath: folder + "/openvino.lock"))
    }

    /// A compile whose lock another process keeps (say, a stopped worker) goes ahead
    /// without it once its patience is out, instead of waiting for ever.
    @Test func aLockHeldTooLongIsGivenUp() throws {
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let cache = ModelCache(directory: folder)
        cache.withCompiledModelsLocked {
            #expect(cache.withCompiledModelsLocked(patience: 0.1) { true })
        }
    }

    @Test func aCacheFolderThatCannotBeUsedDoesNotStopAWorker() throws {
        let unusable = ModelCache(directory: "/proc/calib-cache-\(UUID().uuidString)")
        #expect(throws: OpenVINOError.self) { try OpenVINORuntime(compiledModelCache: unusable.compiledModels) }
        _ = try WorkerNode(options: .init(endpoint: "tcp://127.0.0.1:1", cache: unusable), logger: Logger(label: "test"))
    }
}
