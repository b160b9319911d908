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

    static let hello = hello(.avx2)

    static func hello(_ instructionSet: InstructionSet) -> Message {
        .hello(Hello(calibVersion: "test", openVINOVersion: "none", host: "h", pid: 1, threads: 1, instructionSet: instructionSet.rawValue))
    }

    static func sent(_ actions: [CoordinatorAction]) -> [(Message, WorkerID)] {
        actions.compactMap { if case let .send(message, worker) = $0 { (message, worker) } else { nil } }
    }

    static func shardsSent(_ actions: [CoordinatorAction]) -> [Int] {
        actions.compactMap { if case let .sendShard(shard, _) = $0 { shard } else { nil } }
    }

    static func verifications(_ actions: [CoordinatorAction]) -> [(Int, WorkerID)] {
        actions.compactMap { if case let .verify(shard, worker, _) = $0 { (shard, worker) } else { nil } }
    }

    /// Offers a result, expects the grant, and sends it: what the session does with it.
    static func deliver(
        _ statistics: [UInt8], shard: UInt32, from worker: WorkerID, to session: inout CoordinatorSession, at now: Double
    ) -> [CoordinatorAction] {
        let grant = sent(session.received(frames(.resultOffer(shardID: shard, bytes: UInt64(statistics.count)), from: worker), at: now))
        #expect(grant.map(\.0) == [.resultGrant(shardID: shard)])
        return session.received(frames(.result(shardID: shard, statistics: statistics), from: worker), at: now)
    }

    static func commits(_ actions: [CoordinatorAction]) -> [(Int, WorkerID)] {
        actions.compactMap { if case let .commit(shard, worker, _) = $0 { (shard, worker) } else { nil } }
    }

    @Test func helloGetsTheJobAndAnOtherVersionIsRefused() {
        var session = Self.session()
        let welcome = Self.sent(session.received(Self.frames(Self.hello, from: a), at: 0))
        #expect(welcome.count == 1)
        var pinned = Self.spec
        pinned.instructionSet = "AVX2"
        #expect(welcome.first?.0 == .job(pinned))
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
        let first = Self.deliver([1], shard: 0, from: a, to: &session, at: 1)
        #expect(Self.verifications(first).map(\.0) == [0])
        #expect(Self.deliver([2], shard: 0, from: b, to: &session, at: 1).isEmpty)
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
        // Offers of a shard the worker was not given are dropped, not granted.
        let notGiven = Self.sent(session.received(Self.frames(.resultOffer(shardID: 0, bytes: 1), from: b), at: 1))
        #expect(notGiven.map(\.0) == [.resultDrop(shardID: 0)])
        let outOfPlan = Self.sent(session.received(Self.frames(.resultOffer(shardID: 99, bytes: 1), from: a), at: 1))
        #expect(outOfPlan.map(\.0) == [.resultDrop(shardID: 99)])
        // A result sent without a grant is malformed.
        let ungranted = session.received(Self.frames(.result(shardID: 0, statistics: [1]), from: a), at: 1)
        #expect(Self.verifications(ungranted).isEmpty)
        #expect(ungranted.contains { if case let .log(.warning, line) = $0 { line.contains("not granted") } else { false } })
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

    @Test func aPeerWithoutASessionIsToldOnceToReconnect() {
        var session = Self.session()
        // A worker of a coordinator that was restarted: its socket reconnected by itself.
        let first = session.received(Self.frames(.heartbeat(nil), from: a), at: 0)
        #expect(Self.sent(first).map(\.0) == [.reconnect])
        #expect(Self.sent(first).map(\.1) == [a])
        #expect(session.received(Self.frames(.ready(capacity: 1), from: a), at: 0).isEmpty)
        // Its new session gets the job as any other.
        let welcome = Self.sent(session.received(Self.frames(Self.hello, from: b), at: 1))
        #expect(welcome.count == 1)
        #expect(session.liveWorkers == [b])
    }

    @Test func aShardRejectedThreeTimesFailsTheRun() {
        var session = Self.session(images: 1, shardSize: 1)
        _ = session.received(Self.frames(Self.hello, from: a), at: 0)
        for attempt in 0..<3 {
            #expect(Self.shardsSent(session.received(Self.frames(.ready(capacity: 1), from: a), at: 0)) == [0])
            _ = Self.deliver([UInt8(attempt)], shard: 0, from: a, to: &session, at: 0)
            _ = session.verified(shard: 0, from: a, rejection: ResultRejection(reason: "not statistics"), at: 0)
        }
        guard case let .failed(error)? = session.outcome else {
            Issue.record("the run did not fail")
            return
        }
        #expect("\(error)".contains("shard 0 (image 0) failed 3 times"))
    }

    @Test func resultsInFlightStayUnderTheLimitUntilSettled() {
        var session = CoordinatorSession(
            settings: .init(spec: Self.spec, plan: ShardPlan(imageCount: 3, size: 1), resultsInFlight: 1),
            model: (Array("<net/>".utf8), [1, 2, 3]))
        let workers = [a, b, WorkerID([0x0c])]
        for worker in workers {
            _ = session.received(Self.frames(Self.hello, from: worker), at: 0)
            _ = session.received(Self.frames(.ready(capacity: 1), from: worker), at: 0)
        }
        var granted: [WorkerID] = []
        for (shard, worker) in workers.enumerated() {
            let answer = Self.sent(session.received(Self.frames(.resultOffer(shardID: UInt32(shard), bytes: 1), from: worker), at: 1))
            granted += answer.filter { $0.0 == .resultGrant(shardID: UInt32(shard)) }.map(\.1)
        }
        #expect(granted == [a])
        _ = session.received(Self.frames(.result(shardID: 0, statistics: [1]), from: a), at: 1)
        let committed = session.verified(shard: 0, from: a, rejection: nil, at: 1)
        #expect(Self.commits(committed).map(\.1) == [a])
        // Committed is not settled: the next grant waits for the merge and the journal.
        #expect(Self.sent(committed).isEmpty)
        let next = Self.sent(session.settled(shard: 0, from: a, at: 2))
        #expect(next.map(\.0) == [.resultGrant(shardID: 1)])
        #expect(next.map(\.1) == [b])
    }

    @Test func readyIsAStandingRequestFilledWhileFewShardsAreOnTheirWay() {
        var session = CoordinatorSession(
            settings: .init(spec: Self.spec, plan: ShardPlan(imageCount: 3, size: 1), shardsInTransit: 1),
            model: (Array("<net/>".utf8), [1, 2, 3]))
        for worker in [a, b] { _ = session.received(Self.frames(Self.hello, from: worker), at: 0) }
        #expect(Self.shardsSent(session.received(Self.frames(.ready(capacity: 2), from: a), at: 0)) == [0])
        // One shard is on its way: b waits, and so does a's second.
        #expect(Self.shardsSent(session.received(Self.frames(.ready(capacity: 1), from: b), at: 0)).isEmpty)
        // a has it: the oldest request goes first.
        #expect(Self.shardsSent(session.received(Self.frames(.shardReceived(shardID: 0), from: a), at: 0.1)) == [1])
        // An offer counts as receipt too.
        let next = session.received(Self.frames(.resultOffer(shardID: 1, bytes: 1), from: a), at: 0.2)
        #expect(next.contains { if case .sendShard(2, b) = $0 { true } else { false } })
    }

    @Test func aStandingRequestIsNotASignOfLife() {
        var session = Self.session(images: 2, shardSize: 1)
        _ = session.received(Self.frames(Self.hello, from: a), at: 0)
        _ = session.received(Self.frames(.ready(capacity: 1), from: a), at: 0)
        _ = session.received(Self.frames(.ready(capacity: 1), from: a), at: 0)
        // a went silent holding shards 0 and 1: the ticks, which dispatch, must not keep it alive.
        var now = 0.0
        while now < 5 {
            now += 0.1
            _ = session.tick(at: now)
        }
        #expect(session.liveWorkers.isEmpty)
    }

    @Test func theFirstWorkerPinsTheInstructionSetAndNarrowerOnesAreRefused() {
        var session = Self.session()
        _ = session.received(Self.frames(Self.hello(.avx512Core), from: a), at: 0)
        #expect(session.instructionSet == .avx512Core)
        // A wider worker is limited to the job's set.
        let wider = Self.sent(session.received(Self.frames(Self.hello(.avx512CoreAMX), from: b), at: 0))
        guard case let .job(spec)? = wider.first?.0 else {
            Issue.record("no job")
            return
        }
        #expect(spec.instructionSet == "AVX512_CORE")
        // A narrower one would compute other bits: refused, saying how to let it in.
        let narrower = Self.sent(session.received(Self.frames(Self.hello(.avx2), from: WorkerID([0x0c])), at: 0))
        guard case let .refused(reason)? = narrower.first?.0 else {
            Issue.record("not refused")
            return
        }
        #expect(reason.contains("has only AVX2: start the coordinator with --cpu-isa AVX2 or --allow-mixed-isa"))
        #expect(session.status(at: 1).instructionSet == "AVX512_CORE")

        var mixed = CoordinatorSession(
            settings: .init(spec: Self.spec, plan: ShardPlan(imageCount: 2, size: 1), allowMixedInstructionSets: true),
            model: (Array("<net/>".utf8), [1, 2, 3]))
        for (worker, set) in [(a, InstructionSet.avx512Core), (b, .avx2)] {
            let answer = Self.sent(mixed.received(Self.frames(Self.hello(set), from: worker), at: 0))
            #expect(answer.map(\.0) == [.job(Self.spec)])
        }
        #expect(mixed.status(at: 1).instructionSet == "")
    }

    @Test func instructionSetsAreReadFromCPUFlagsAndCappedByTheEnvironment() {
        let amx: Set<String> = ["avx", "avx2", "avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512_vnni", "avx512_bf16", "amx_tile", "amx_bf16", "amx_int8"]
        #expect(InstructionSet.detect(cpuFlags: amx) == .avx512CoreAMX)
        #expect(InstructionSet.detect(cpuFlags: amx, limit: "avx2") == .avx2)
        #expect(InstructionSet.detect(cpuFlags: amx, limit: "nonsense") == .avx512CoreAMX)
        #expect(InstructionSet.detect(cpuFlags: ["avx", "avx2"], limit: "AVX512_CORE") == .avx2)
        #expect(InstructionSet.detect(cpuFlags: ["sse4_1"]) == .sse41)
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
