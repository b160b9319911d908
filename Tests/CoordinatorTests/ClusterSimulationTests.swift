import Coordinator
import Core
import Protocol
import Testing

/// A thousand simulated workers against the session, on a simulated clock: workers that
/// crash, stall past their deadline and come back, sit behind slow links, send every
/// result twice or a first result that does not verify, and a coordinator that itself
/// stalls for five seconds. Every image must be merged exactly once, and only workers that
/// really went silent may be declared dead.
struct ClusterSimulationTests {
    /// Something that happens at a simulated time.
    enum Event {
        case toCoordinator([[UInt8]])
        case toWorker(Int, Message)
        case computed(Int, UInt32)
        case verified(Int, WorkerID, accepted: Bool)
        case settled(Int, WorkerID)
        case heartbeat(Int)
        case tick
    }

    /// A binary min-heap of events by time, ties in insertion order.
    struct Timeline {
        private var heap: [(time: Double, order: Int, event: Event)] = []
        private var counter = 0

        var isEmpty: Bool { heap.isEmpty }

        mutating func add(_ event: Event, at time: Double) {
            counter += 1
            heap.append((time, counter, event))
            var child = heap.count - 1
            while child > 0 {
                let parent = (child - 1) / 2
                guard Self.before(heap[child], heap[parent]) else { break }
                heap.swapAt(child, parent)
                child = parent
            }
        }

        mutating func next() -> (time: Double, event: Event) {
            let first = heap[0]
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var parent = 0
                while true {
                    let left = 2 * parent + 1
                    let right = left + 1
                    var smallest = parent
                    if left < heap.count, Self.before(heap[left], heap[smallest]) { smallest = left }
                    if right < heap.count, Self.before(heap[right], heap[smallest]) { smallest = right }
                    guard smallest != parent else { break }
                    heap.swapAt(parent, smallest)
                    parent = smallest
                }
            }
            return (first.time, first.event)
        }

        private static func before(_ a: (time: Double, order: Int, event: Event), _ b: (time: Double, order: Int, event: Event)) -> Bool {
            (a.time, a.order) < (b.time, b.order)
        }
    }

    /// One simulated worker: how it behaves, and what it is doing.
    struct Worker {
        let id: WorkerID
        let latency: Double
        let crashAt: Double?
        let stall: ClosedRange<Double>?
        let sendsTwice: Bool
        var badResultsLeft: Int
        var download: ModelDownload?
        var offered: [UInt32: [UInt8]] = [:]

        func isCrashed(at time: Double) -> Bool { crashAt.map { time >= $0 } ?? false }

        /// When a process that wants to act at `time` can: after its stall, if it is stalled.
        func resumes(at time: Double) -> Double {
            guard let stall, stall.contains(time) else { return time }
            return stall.upperBound
        }
    }

    static let xml = Array("<net/>".utf8)
    static let weights = (0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }
    static let digest = SHA256.hex(xml + weights)

    @Test func aThousandWorkersWithCrashesStallsSlowLinksAndDuplicates() throws {
        var generator = SeededGenerator(seed: 11)
        let workerCount = 1000
        let plan = ShardPlan(imageCount: 4000, size: 2)
        let spec = JobSpec(
            jobID: "sim", modelDigest: Self.digest, interpolation: "bilinear", channelOrder: "RGB", reader: "pillow",
            inputShape: [1, 3, 8, 8], layout: "NCHW", ignoredNames: [], ignoredTypes: [], tensorNames: ["t"])
        var session = CoordinatorSession(settings: .init(spec: spec, plan: plan, transferBudget: 4 << 20), model: (Self.xml, Self.weights))
        let coordinatorStall = 6.0...11.0

        var workers: [Worker] = (0..<workerCount).map { index in
            let draw = Int(generator.next() % 100)
            let start = Double(generator.next() % 10_000) / 1000
            return Worker(
                id: WorkerID([UInt8(index >> 8), UInt8(index & 0xff), 0x5a]),
                latency: draw < 10 ? 0.5 : 0.001,
                crashAt: (10..<13).contains(draw) ? start : nil,
                stall: (13..<16).contains(draw) ? start...(start + 5) : nil,
                sendsTwice: (16..<21).contains(draw),
                badResultsLeft: (21..<22).contains(draw) ? 1 : 0)
        }
        let indexOf = Dictionary(uniqueKeysWithValues: workers.enumerated().map { ($1.id, $0) })
        var timeline = Timeline()
        var commits: [Int: Int] = [:]

        func fromWorker(_ index: Int, _ message: Message, at time: Double) {
            let worker = workers[index]
            guard !worker.isCrashed(at: time) else { return }
            var arrival = worker.resumes(at: time) + worker.latency
            // A stalled coordinator reads what came in meanwhile when it resumes.
            if coordinatorStall.contains(arrival) { arrival = coordinatorStall.upperBound }
            timeline.add(.toCoordinator([worker.id.bytes, MessageCodec.encode(message)]), at: arrival)
        }

        func perform(_ actions: [CoordinatorAction], at time: Double) {
            for action in actions {
                switch action {
                case let .send(message, id):
                    let index = indexOf[id]!
                    timeline.add(.toWorker(index, message), at: time + workers[index].latency)
                case let .sendShard(shard, id):
                    let index = indexOf[id]!
                    let images = plan.shards[shard].map { ShardImage(index: UInt32($0), name: "", bytes: []) }
                    timeline.add(.toWorker(index, .shard(Shard(id: UInt32(shard), images: images))), at: time + workers[index].latency)
                case let .verify(shard, id, statistics):
                    timeline.add(.verified(shard, id, accepted: statistics.first == 1), at: time + 0.02)
                case let .commit(shard, id, _):
                    // Merged and journaled a little later.
                    timeline.add(.settled(shard, id), at: time + 0.01)
                    commits[shard, default: 0] += 1
                case .discard, .log:
                    break
                }
            }
        }

        for index in workers.indices {
            fromWorker(index, .hello(Hello(calibVersion: "sim", openVINOVersion: "none", host: "sim", pid: Int32(index), threads: 1, instructionSet: "AVX2")), at: 0)
            timeline.add(.heartbeat(index), at: 1)
        }
        timeline.add(.tick, at: 0)

        var now = 0.0
        while session.outcome == nil, !timeline.isEmpty, now < 600 {
            let next = timeline.next()
            now = next.time
            switch next.event {
            case let .toCoordinator(frames):
                perform(session.received(frames, at: now), at: now)
            case .tick:
                perform(session.tick(at: now), at: now)
                let following = now + 0.1
                timeline.add(.tick, at: coordinatorStall.contains(following) ? coordinatorStall.upperBound : following)
            case let .verified(shard, id, accepted):
                let rejection = accepted ? nil : ResultRejection(reason: "simulated corrupt result")
                perform(session.verified(shard: shard, from: id, rejection: rejection, at: now), at: now)
            case let .settled(shard, id):
                perform(session.settled(shard: shard, from: id, at: now), at: now)
            case let .heartbeat(index):
                guard !workers[index].isCrashed(at: now) else { break }
                if workers[index].stall?.contains(now) != true {
                    fromWorker(index, .heartbeat(WorkerStatus(imagesDone: 0, currentShard: nil, residentBytes: 0, errors: 0)), at: now)
                }
                timeline.add(.heartbeat(index), at: now + 1)
            case let .computed(index, shard):
                var statistics: [UInt8] = [1, UInt8(shard & 0xff)]
                if workers[index].badResultsLeft > 0 {
                    workers[index].badResultsLeft -= 1
                    statistics[0] = 0
                }
                workers[index].offered[shard] = statistics
                // Some workers offer everything twice (a resent message).
                for _ in 0..<(workers[index].sendsTwice ? 2 : 1) {
                    fromWorker(index, .resultOffer(shardID: shard, bytes: UInt64(statistics.count)), at: now)
                }
                fromWorker(index, .ready(capacity: 1), at: now)
            case let .toWorker(index, message):
                guard !workers[index].isCrashed(at: now) else { break }
                let time = workers[index].resumes(at: now)
                switch message {
                case .job:
                    if index % 2 == 0 {
                        fromWorker(index, .ready(capacity: 1), at: time)
                    } else {
                        var download = ModelDownload(digest: Self.digest)
                        for fetch in download.start() { fromWorker(index, fetch, at: time) }
                        workers[index].download = download
                    }
                case let .modelChunk(chunk):
                    guard var download = workers[index].download else { break }
                    for fetch in try download.receive(chunk) { fromWorker(index, fetch, at: time) }
                    workers[index].download = download
                    if download.isComplete {
                        #expect(download.matchesDigest)
                        workers[index].download = nil
                        fromWorker(index, .ready(capacity: 1), at: time)
                    }
                case let .shard(shard):
                    fromWorker(index, .shardReceived(shardID: shard.id), at: time)
                    let compute = Double(shard.images.count) * (0.8 + Double(generator.next() % 400) / 1000)
                    timeline.add(.computed(index, shard.id), at: workers[index].resumes(at: time + compute))
                case let .resultGrant(shard):
                    if let statistics = workers[index].offered.removeValue(forKey: shard) {
                        fromWorker(index, .result(shardID: shard, statistics: statistics), at: time)
                    }
                case let .resultDrop(shard):
                    workers[index].offered[shard] = nil
                case let .refused(reason):
                    Issue.record("worker \(index) refused: \(reason)")
                default:
                    break
                }
            }
        }

        guard case .complete? = session.outcome else {
            Issue.record("the run did not complete by t=\(now): \(String(describing: session.outcome))")
            return
        }
        #expect(commits.count == plan.count)
        #expect(commits.values.allSatisfy { $0 == 1 })
        #expect(session.counters.imagesComputed == plan.imageCount)
        #expect(session.counters.duplicateResults > 0)
        let silent = Set(workers.filter { $0.crashAt != nil || $0.stall != nil }.map { "\($0.id)" })
        let dead = Set(session.timeline.filter { $0.kind == .dead }.map(\.worker))
        #expect(dead.subtracting(silent).isEmpty, "false deaths: \(dead.subtracting(silent).sorted())")
        #expect(!dead.isEmpty)
        #expect(session.modelTransfer.peakBytesInFlight <= 4 << 20)
        // The verifications, merges and journal appends still under way end: what stays in
        // flight is exactly the granted results still on their way when the run completed.
        var resultsOnTheirWay = 0
        while !timeline.isEmpty {
            switch timeline.next().event {
            case let .settled(shard, id):
                _ = session.settled(shard: shard, from: id, at: now)
            case let .verified(shard, id, _):
                // A copy verified after the run completed is dropped, and settled.
                _ = session.verified(shard: shard, from: id, rejection: nil, at: now)
            case let .toCoordinator(frames):
                if case .result? = try? MessageCodec.decode(frames[1]) { resultsOnTheirWay += 1 }
            default:
                break
            }
        }
        #expect(session.resultsInFlight == resultsOnTheirWay)
    }
}
