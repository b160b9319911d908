import Coordinator
import Core
import Protocol
import Testing

/// The coordinator's policy as a pure state machine: messages in, actions out, no sockets.
struct CoordinatorSessionTests {
    static let digest = SHA256.hex(Array("<net/>".utf8) + [1, 2, 3])
    static let spec = JobSpec(
        jobID: "job", modelDigest: digest, interpolation: "bilinear", channelOrder: "RGB", reader: "pillow",
        inputShape: [1, 3, 8, 8], layout: "NCHW", ignoredNames: [], ignoredTypes: [], tensorNames: ["t"])
    let a = WorkerID([0x0a])
    let b = WorkerID([0x0b])

    static func session(images: Int = 4, shardSize: Int = 2, malformedLimit: Int = 10) -> CoordinatorSession {
        CoordinatorSession(
            settings: .init(spec: spec, plan: ShardPlan(imageCount: images, size: shardSize), malformedLimit: malformedLimit),
            model: (Array("<net/>".utf8), [1, 2, 3]))
    }

    static func frames(_ message: Message, from worker: WorkerID) -> [[UInt8]] {
        [worker.bytes, MessageCodec.encode(message)]
    }

    static let hello = Message.hello(Hello(calibVersion: "test", openVINOVersion: "none", host: "h", pid: 1, threads: 1))

    static func sent(_ actions: [CoordinatorAction]) -> [(Message, WorkerID)] {
        actions.compactMap { if case let .send(message, worker) = $0 { (message, worker) } else { nil } }
    }

    static func shardsSent(_ actions: [CoordinatorAction]) -> [Int] {
        actions.compactMap { if case let .sendShard(shard, _) = $0 { shard } else { nil } }
    }

    static func verifications(_ actions: [CoordinatorAction]) -> [(Int, WorkerID)] {
        actions.compactMap { if case let .verify(shard, worker, _) = $0 { (shard, worker) } else { nil } }
    }

    static func commits(_ actions: [CoordinatorAction]) -> [(Int, WorkerID)] {
        actions.compactMap { if case let .commit(shard, worker, _) = $0 { (shard, worker) } else { nil } }
    }

    @Test func helloGetsTheJobAndAnOtherVersionIsRefused() {
        var session = Self.session()
        let welcome = Self.sent(session.received(Self.frames(Self.hello, from: a), at: 0))
        #expect(welcome.count == 1)
        #expect(welcome.first?.0 == .job(Self.spec))
        var old = Hello(calibVersion: "old", openVINOVersion: "none", host: "h", pid: 1, threads: 1)
        old.protocolVersion = 3
        let refusal = Self.sent(session.received(Self.frames(.hello(old), from: b), at: 0))
        guard case let .refused(reason)? = refusal.first?.0 else {
            Issue.record("no refusal")
            return
        }
        #expect(reason.contains("protocol version 3 is not supported"))
        #expect(session.liveWorkers == [a])
    }

    @Test func messagesBeforeHelloAreDroppedAndMalformedOnesCutAPeerOff() {
        var session = Self.session(malformedLimit: 3)
        #expect(Self.shardsSent(session.received(Self.frames(.ready(capacity: 1), from: a), at: 0)).isEmpty)
        _ = session.received(Self.frames(Self.hello, from: a), at: 0)
        for _ in 0..<3 { _ = session.received([a.bytes, [1, 2, 3]], at: 1) }
        #expect(session.liveWorkers.isEmpty)
        // Cut off: even a fresh hello is not read.
        #expect(session.received(Self.frames(Self.hello, from: a), at: 2).isEmpty)
    }

    @Test func aResultIsVerifiedThenCommittedOnceAndCopiesWaitBehindIt() {
        var session = Self.session(images: 2)
        for worker in [a, b] { _ = session.received(Self.frames(Self.hello, from: worker), at: 0) }
        #expect(Self.shardsSent(session.received(Self.frames(.ready(capacity: 1), from: a), at: 0)) == [0])
        // Nothing pending: b gets a straggler copy.
        #expect(Self.shardsSent(session.received(Self.frames(.ready(capacity: 1), from: b), at: 0)) == [0])
        let first = session.received(Self.frames(.result(shardID: 0, statistics: [1]), from: a), at: 1)
        #expect(Self.verifications(first).map(\.0) == [0])
        #expect(session.received(Self.frames(.result(shardID: 0, statistics: [2]), from: b), at: 1).isEmpty)
        // a's copy is rejected: b's is verified next and committed.
        let rejected = session.verified(shard: 0, from: a, rejection: ResultRejection(reason: "bad"), at: 2)
        #expect(Self.verifications(rejected).map(\.1) == [b])
        let accepted = session.verified(shard: 0, from: b, rejection: nil, at: 2)
        #expect(Self.commits(accepted).map(\.1) == [b])
        guard case .complete? = session.outcome else {
            Issue.record("the run is not complete")
            return
        }
        #expect(session.counters.resultsAccepted == 1)
    }

    @Test func aResultFromAWorkerNotGivenTheShardIsDropped() {
        var session = Self.session()
        for worker in [a, b] { _ = session.received(Self.frames(Self.hello, from: worker), at: 0) }
        _ = session.received(Self.frames(.ready(capacity: 1), from: a), at: 0)
        #expect(Self.verifications(session.received(Self.frames(.result(shardID: 0, statistics: [1]), from: b), at: 1)).isEmpty)
        #expect(Self.verifications(session.received(Self.frames(.result(shardID: 99, statistics: [1]), from: a), at: 1)).isEmpty)
    }

    @Test func aSilentWorkerDiesButTheCoordinatorsOwnStallBlamesNoOne() {
        var session = Self.session()
        _ = session.received(Self.frames(Self.hello, from: a), at: 0)
        for step in 1...20 { _ = session.tick(at: Double(step) * 0.1) }
        // The coordinator could not listen for 10 s (swap, a paused process).
        let afterStall = session.tick(at: 12)
        #expect(session.liveWorkers == [a])
        #expect(afterStall.contains { if case .log(.notice, _) = $0 { true } else { false } })
        // A worker that really stays silent is declared dead after 3 heartbeat intervals.
        var now = 12.0
        while now < 16 {
            now += 0.1
            _ = session.tick(at: now)
        }
        #expect(session.liveWorkers.isEmpty)
        #expect(session.timeline.map(\.kind) == [.dead])
    }

    @Test func aShardRejectedThreeTimesFailsTheRun() {
        var session = Self.session(images: 1, shardSize: 1)
        _ = session.received(Self.frames(Self.hello, from: a), at: 0)
        for attempt in 0..<3 {
            #expect(Self.shardsSent(session.received(Self.frames(.ready(capacity: 1), from: a), at: 0)) == [0])
            _ = session.received(Self.frames(.result(shardID: 0, statistics: [UInt8(attempt)]), from: a), at: 0)
            _ = session.verified(shard: 0, from: a, rejection: ResultRejection(reason: "not statistics"), at: 0)
        }
        guard case let .failed(error)? = session.outcome else {
            Issue.record("the run did not fail")
            return
        }
        #expect("\(error)".contains("shard 0 (images 0..<1) failed 3 times"))
    }

    @Test func aFetchOfAnotherModelIsMalformedAndTheJobsModelComesInChunks() throws {
        var session = Self.session()
        _ = session.received(Self.frames(Self.hello, from: a), at: 0)
        let other = String(repeating: "0", count: 64)
        let wrong = session.received(Self.frames(.modelFetch(ModelFetch(digest: other, offset: 0, count: 4, received: 0)), from: a), at: 0)
        #expect(Self.sent(wrong).isEmpty)
        var download = ModelDownload(digest: Self.digest, chunkSize: 4, credit: 2)
        var outbox = download.start()
        while let fetch = outbox.first {
            outbox.removeFirst()
            for (message, _) in Self.sent(session.received(Self.frames(fetch, from: a), at: 0)) {
                guard case let .modelChunk(chunk) = message else { continue }
                outbox += try download.receive(chunk)
            }
        }
        #expect(download.isComplete)
        #expect(download.matchesDigest)
        #expect(download.parts.map { Array($0.xml) } == Array("<net/>".utf8))
    }
}
