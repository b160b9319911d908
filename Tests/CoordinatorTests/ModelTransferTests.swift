import Coordinator
import Core
import Protocol
import Testing

/// Model transfer under one budget: every worker gets every byte, and the bytes in
/// flight never exceed the budget whatever the number of workers.
struct ModelTransferTests {
    static let xml = Array("<net name=\"m\"/>".utf8)
    static let weights = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }
    static let digest = SHA256.hex(xml + weights)

    @Test func manyWorkersDownloadUnderTheBudget() throws {
        let budget = 3000
        var transfer = ModelTransfer(digest: Self.digest, xml: Self.xml, weights: Self.weights, budget: budget)
        let workers = (0..<50).map { WorkerID([UInt8($0)]) }
        var downloads = Dictionary(uniqueKeysWithValues: workers.map { ($0, ModelDownload(digest: Self.digest, chunkSize: 1000, credit: 3)) })
        // Fetches on their way to the coordinator, chunks on their way to workers: delivered
        // alternately, oldest first, like two queues of a network.
        var toCoordinator: [(WorkerID, ModelFetch)] = []
        for worker in workers {
            for case let .modelFetch(fetch) in downloads[worker]!.start() { toCoordinator.append((worker, fetch)) }
        }
        var toWorkers: [(WorkerID, ModelChunk)] = []
        var rounds = 0
        while !toCoordinator.isEmpty || !toWorkers.isEmpty {
            rounds += 1
            #expect(rounds < 100_000)
            if let (worker, fetch) = toCoordinator.first {
                toCoordinator.removeFirst()
                for case let (target, .modelChunk(chunk)) in transfer.fetch(fetch, from: worker) { toWorkers.append((target, chunk)) }
                #expect(transfer.bytesInFlight <= budget)
            }
            if let (worker, chunk) = toWorkers.first {
                toWorkers.removeFirst()
                for case let .modelFetch(fetch) in try downloads[worker]!.receive(chunk) { toCoordinator.append((worker, fetch)) }
            }
        }
        for worker in workers {
            #expect(downloads[worker]!.matchesDigest, "\(worker)")
        }
        #expect(transfer.bytesInFlight == 0)
        #expect(transfer.peakBytesInFlight <= budget)
        #expect(transfer.bytesSent == workers.count * (Self.xml.count + Self.weights.count))
    }

    @Test func aWorkerThatGoesAwayFreesItsShareOfTheBudget() {
        var transfer = ModelTransfer(digest: Self.digest, xml: Self.xml, weights: Self.weights, budget: 1000)
        let (a, b) = (WorkerID([1]), WorkerID([2]))
        #expect(transfer.fetch(ModelFetch(digest: Self.digest, offset: 0, count: 1000, received: 0), from: a).count == 1)
        // b waits: a's chunk is not acknowledged.
        #expect(transfer.fetch(ModelFetch(digest: Self.digest, offset: 0, count: 1000, received: 0), from: b).isEmpty)
        #expect(transfer.waitingCount == 1)
        let served = transfer.forget(a)
        #expect(served.map(\.0) == [b])
        #expect(transfer.bytesInFlight == 1000)
    }

    @Test func fetchesPastTheEndGetEmptyChunksThatEchoTheirOffset() {
        var transfer = ModelTransfer(digest: Self.digest, xml: Self.xml, weights: Self.weights)
        let chunks = transfer.fetch(ModelFetch(digest: Self.digest, offset: 1 << 40, count: 1000, received: 0), from: WorkerID([1]))
        guard case let .modelChunk(chunk)? = chunks.first?.1 else {
            Issue.record("no chunk")
            return
        }
        #expect(chunk.offset == 1 << 40)
        #expect(chunk.data.isEmpty)
        #expect(chunk.totalBytes == UInt64(Self.xml.count + Self.weights.count))
    }
}
