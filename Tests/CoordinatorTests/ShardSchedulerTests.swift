import Coordinator
import Core
import Testing

/// The shard scheduler as a pure state machine: events and a fake clock, no sockets.
struct ShardSchedulerTests {
    let a = WorkerID([0x0a])
    let b = WorkerID([0x0b])
    let c = WorkerID([0x0c])

    @Test func planSplitsIntoConsecutiveShardsWithShorterLast() {
        let plan = ShardPlan(imageCount: 10, size: 4)
        #expect(plan.shards == [0..<4, 4..<8, 8..<10])
        #expect(plan.images(of: 1) == "images 4-7" && ShardPlan(imageCount: 3, size: 1).images(of: 2) == "image 2")
        #expect(ShardPlan(imageCount: 8, size: 4).shards == [0..<4, 4..<8])
        #expect(ShardPlan(imageCount: 0, size: 4).shards.isEmpty)
        #expect(ShardPlan(imageCount: 3, size: 16).shards == [0..<3])
        #expect(ShardPlan.defaultSize(imageCount: 24, expectedWorkers: 2) == 3)
        #expect(ShardPlan.defaultSize(imageCount: 5, expectedWorkers: 4) == 1)
        #expect(ShardPlan.defaultSize(imageCount: 50_000, expectedWorkers: 2) == 16)
        #expect(ShardPlan.defaultSize(imageCount: 100, expectedWorkers: 0) == 16)
    }

    @Test func workerIDPrintsHexAndSortsBytewise() {
        #expect(WorkerID([0x00, 0x6b, 0x8b, 0x45, 0xff]).description == "006b8b45ff")
        #expect(WorkerID([0x01]) < WorkerID([0x01, 0x00]))
        #expect(WorkerID([0x02]) > WorkerID([0x01, 0xff]))
    }

    @Test func twoWorkersPullDisjointShardsInOrder() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 20, size: 4))
        scheduler.workerJoined(a, now: 0)
        scheduler.workerJoined(b, now: 0)
        #expect(scheduler.requestShards(for: a, capacity: 2, now: 0) == [0, 1])
        #expect(scheduler.requestShards(for: b, capacity: 2, now: 0) == [2, 3])
        #expect(scheduler.requestShards(for: a, capacity: 2, now: 0) == [4])
        #expect(scheduler.pendingCount == 0)
        #expect(scheduler.outstanding == [0: [a], 1: [a], 2: [b], 3: [b], 4: [a]])
        #expect(scheduler.workers[a]?.state == .working)
        #expect(scheduler.workers[b]?.shards == [2, 3])
        // Not idle, so no straggler copies yet.
        #expect(scheduler.requestShards(for: b, capacity: 2, now: 0).isEmpty)
    }

    @Test func aResultCheckedAfterItsWorkerLeftIsAcceptedWithoutBringingTheWorkerBack() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 8, size: 4))
        scheduler.workerJoined(a, now: 0)
        #expect(scheduler.requestShards(for: a, capacity: 1, now: 0) == [0])
        scheduler.workerLeft(a, now: 1)
        #expect(scheduler.completed(shard: 0, by: a, now: 2) == .accepted)
        #expect(scheduler.workers[a]?.state == .dead)
        #expect(scheduler.tick(now: 100).isEmpty, "a worker that left is not declared dead as well")
        #expect(scheduler.pendingCount == 1, "only the other shard is left")
    }

    @Test func completedShardIsAcceptedOnceAndDuplicateIgnored() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 6, size: 4))
        scheduler.workerJoined(a, now: 0)
        #expect(scheduler.requestShards(for: a, capacity: 1, now: 0) == [0])
        #expect(scheduler.completed(shard: 0, by: b, now: 1) == .rejected)
        #expect(scheduler.completed(shard: 7, by: a, now: 1) == .rejected)
        #expect(scheduler.completed(shard: 1, by: a, now: 1) == .rejected)
        #expect(scheduler.completed(shard: 0, by: a, now: 1) == .accepted)
        #expect(scheduler.completed(shard: 0, by: a, now: 1) == .duplicate)
        #expect(scheduler.completedShards == [0])
        #expect(scheduler.imagesDone == 4)
        #expect(scheduler.workers[a]?.shardsDone == 1)
        #expect(scheduler.workers[a]?.imagesDone == 4)
        #expect(scheduler.workers[a]?.state == .idle)
        #expect(scheduler.requestShards(for: a, capacity: 3, now: 1) == [1])
        #expect(scheduler.completed(shard: 1, by: a, now: 2) == .accepted)
        #expect(scheduler.isComplete)
        #expect(scheduler.imagesDone == 6)
    }

    @Test func silentWorkerIsDeclaredDeadAfterThreeMissedIntervalsAndItsShardsMove() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 8, size: 2), heartbeatInterval: 1, missedHeartbeats: 3)
        scheduler.workerJoined(a, now: 0)
        scheduler.workerJoined(b, now: 0)
        #expect(scheduler.requestShards(for: a, capacity: 2, now: 0) == [0, 1])
        #expect(scheduler.requestShards(for: b, capacity: 2, now: 0) == [2, 3])
        scheduler.heard(from: b, now: 1)
        scheduler.heard(from: b, now: 2)
        #expect(scheduler.tick(now: 2.9).isEmpty)
        #expect(scheduler.workers[a]?.state == .working)
        #expect(scheduler.completed(shard: 2, by: b, now: 2.95) == .accepted)
        #expect(scheduler.tick(now: 3.0) == [a])
        #expect(scheduler.workers[a]?.state == .dead)
        #expect(scheduler.workers[a]?.shards.isEmpty == true)
        #expect(scheduler.pendingCount == 2)
        #expect(scheduler.outstanding[0] == nil)
        #expect(scheduler.tick(now: 3.5).isEmpty)
        #expect(scheduler.requestShards(for: b, capacity: 2, now: 3.5) == [0, 1])
        #expect(scheduler.outstanding[0] == [b])
    }

    @Test func deadWorkersLateResultIsStillAcceptedAndItCanComeBack() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 4, size: 2))
        scheduler.workerJoined(a, now: 0)
        scheduler.workerJoined(b, now: 0)
        #expect(scheduler.requestShards(for: a, capacity: 1, now: 0) == [0])
        #expect(scheduler.requestShards(for: b, capacity: 1, now: 0) == [1])
        scheduler.heard(from: b, now: 2)
        #expect(scheduler.tick(now: 3) == [a])
        #expect(scheduler.completed(shard: 1, by: b, now: 3) == .accepted)
        #expect(scheduler.requestShards(for: b, capacity: 1, now: 3) == [0])
        // A's result arrives after all (the session hears A when it reads the message, which
        // brings A back); deterministic, so the first one wins.
        scheduler.heard(from: a, now: 3.5)
        #expect(scheduler.completed(shard: 0, by: a, now: 3.5) == .accepted)
        #expect(scheduler.workers[a]?.state == .idle)
        #expect(scheduler.workers[b]?.state == .idle)
        #expect(scheduler.completed(shard: 0, by: b, now: 4) == .duplicate)
        #expect(scheduler.isComplete)
    }

    @Test func leavingWorkerReturnsItsShards() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 4, size: 1))
        #expect(scheduler.requestShards(for: a, capacity: 2, now: 0) == [0, 1])
        scheduler.workerLeft(a, now: 1)
        #expect(scheduler.workers[a]?.state == .dead)
        #expect(scheduler.pendingCount == 4)
        #expect(scheduler.requestShards(for: b, capacity: 4, now: 1) == [0, 1, 2, 3])
    }

    @Test func lateJoiningWorkerGetsWork() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 12, size: 2))
        scheduler.workerJoined(a, now: 0)
        #expect(scheduler.requestShards(for: a, capacity: 2, now: 0) == [0, 1])
        scheduler.workerJoined(c, now: 5)
        #expect(scheduler.workers[c]?.joined == 5)
        #expect(scheduler.workers[c]?.state == .idle)
        #expect(scheduler.requestShards(for: c, capacity: 2, now: 5) == [2, 3])
    }

    @Test func stragglerIsRerunWhenQueueIsEmptyAndFirstResultWins() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 6, size: 2))
        #expect(scheduler.requestShards(for: a, capacity: 1, now: 0) == [0])
        #expect(scheduler.requestShards(for: b, capacity: 1, now: 0) == [1])
        #expect(scheduler.requestShards(for: b, capacity: 0, now: 0).isEmpty)
        #expect(scheduler.completed(shard: 1, by: b, now: 1) == .accepted)
        #expect(scheduler.requestShards(for: b, capacity: 1, now: 1) == [2])
        #expect(scheduler.completed(shard: 2, by: b, now: 2) == .accepted)
        // Queue empty, B idle: it gets a copy of the oldest outstanding shard (0).
        #expect(scheduler.pendingCount == 0)
        #expect(scheduler.requestShards(for: b, capacity: 2, now: 2) == [0])
        #expect(scheduler.outstanding[0] == [a, b])
        // Never a third copy.
        #expect(scheduler.requestShards(for: c, capacity: 1, now: 2).isEmpty)
        #expect(scheduler.completed(shard: 0, by: b, now: 3) == .accepted)
        #expect(scheduler.workers[a]?.state == .idle)
        #expect(scheduler.completed(shard: 0, by: a, now: 4) == .duplicate)
        #expect(scheduler.isComplete)
        #expect(scheduler.workers[b]?.shardsDone == 3)
        #expect(scheduler.workers[a]?.shardsDone == 0)
    }

    @Test func stragglerCopyPicksOldestOutstandingShard() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 3, size: 1))
        #expect(scheduler.requestShards(for: a, capacity: 1, now: 0) == [0])
        #expect(scheduler.requestShards(for: b, capacity: 2, now: 1) == [1, 2])
        // A fails shard 0; it is re-issued later, so it is now the youngest.
        #expect(scheduler.failed(shard: 0, by: a, now: 2, reason: "oom") == .retry)
        #expect(scheduler.requestShards(for: a, capacity: 1, now: 2) == [0])
        #expect(scheduler.requestShards(for: c, capacity: 1, now: 3) == [1])
        #expect(scheduler.requestShards(for: WorkerID([0x0d]), capacity: 1, now: 3) == [2])
        #expect(scheduler.requestShards(for: WorkerID([0x0e]), capacity: 1, now: 3) == [0])
        #expect(scheduler.requestShards(for: WorkerID([0x0f]), capacity: 1, now: 3).isEmpty)
    }

    @Test func failuresRequeueAndTheThirdFailureOfOneShardIsFatal() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 4, size: 2))
        #expect(scheduler.requestShards(for: a, capacity: 2, now: 0) == [0, 1])
        #expect(scheduler.failed(shard: 1, by: a, now: 1, reason: "bad jpeg") == .retry)
        #expect(scheduler.pendingCount == 1)
        #expect(scheduler.workers[a]?.shards == [0])
        #expect(scheduler.failed(shard: 1, by: a, now: 1, reason: "again") == .ignored)
        #expect(scheduler.requestShards(for: b, capacity: 1, now: 1) == [1])
        #expect(scheduler.failed(shard: 1, by: b, now: 2, reason: "bad jpeg") == .retry)
        #expect(scheduler.failure == nil)
        #expect(scheduler.requestShards(for: c, capacity: 1, now: 2) == [1])
        let outcome = scheduler.failed(shard: 1, by: c, now: 3, reason: "cannot decode 3.jpg")
        guard case .fatal(let message) = outcome else {
            Issue.record("expected fatal, got \(outcome)")
            return
        }
        #expect(message.contains("cannot decode 3.jpg"))
        #expect(scheduler.failure == message)
        #expect(scheduler.requestShards(for: c, capacity: 1, now: 3).isEmpty)
        #expect(!scheduler.isComplete)
    }

    @Test func aFailureNoWorkerCouldAvoidIsFatalAtOnce() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 4, size: 2))
        #expect(scheduler.requestShards(for: a, capacity: 2, now: 0) == [0, 1])
        let outcome = scheduler.failed(shard: 1, by: a, now: 1, reason: "corrupt JPEG '3.jpg'", retryable: false)
        guard case .fatal(let message) = outcome else {
            Issue.record("expected fatal, got \(outcome)")
            return
        }
        #expect(message.contains("cannot be calibrated on any worker: corrupt JPEG '3.jpg'"), "\(message)")
        #expect(scheduler.failure == message)
        #expect(scheduler.requestShards(for: b, capacity: 1, now: 1).isEmpty)
    }

    @Test func resumedShardsAreNeverHandedOut() {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 10, size: 2), alreadyDone: [0, 2, 4, 99])
        #expect(scheduler.completedShards == [0, 2, 4])
        #expect(scheduler.imagesDone == 6)
        #expect(scheduler.pendingCount == 2)
        #expect(scheduler.requestShards(for: a, capacity: 10, now: 0) == [1, 3])
        #expect(scheduler.completed(shard: 2, by: a, now: 1) == .duplicate)
        #expect(scheduler.completed(shard: 1, by: a, now: 1) == .accepted)
        // Idle with nothing pending: the only straggler candidate is A's own shard 3.
        #expect(scheduler.requestShards(for: b, capacity: 10, now: 1) == [3])
        #expect(scheduler.completed(shard: 3, by: a, now: 2) == .accepted)
        #expect(scheduler.isComplete)
        #expect(scheduler.imagesDone == 10)
        let finished = ShardScheduler(plan: ShardPlan(imageCount: 4, size: 2), alreadyDone: [0, 1])
        #expect(finished.isComplete)
    }

    @Test func randomizedClusterCompletesEveryShardExactlyOnce() {
        var events: [String] = []
        for seed in UInt64(1)...40 {
            let outcome = Simulation.run(seed: seed)
            #expect(outcome.complete, "seed \(seed): \(outcome.note)")
            #expect(outcome.acceptedPerShard.allSatisfy { $0 == 1 }, "seed \(seed): \(outcome.acceptedPerShard)")
            events += outcome.log
        }
        // The runs really went through the hard cases.
        for kind in [" crash ", " stall ", " dead ", " duplicate", " late-accepted ", " straggler-copy"] {
            #expect(events.contains { $0.contains(kind) }, "no \(kind) event")
        }
    }

    @Test func sameEventsGiveSameDecisions() {
        let first = Simulation.run(seed: 7)
        let second = Simulation.run(seed: 7)
        #expect(first.log == second.log)
        #expect(!first.log.isEmpty)
    }
}

/// A small cluster of fake workers driven by a seeded generator: random compute times,
/// crashes, network stalls (late results), late joiners and resent messages.
private struct Simulation {
    struct Outcome {
        var complete: Bool
        var acceptedPerShard: [Int]
        var note: String
        var log: [String]
    }

    /// One fake worker process.
    struct Node {
        let id: WorkerID
        let capacity: Int
        var running: [(shard: Int, finish: Double)] = []
        var crashed = false
        var stalledUntil = 0.0
        var nextHeartbeat = 0.0
        var joinAt: Double
    }

    var random: SeededGenerator
    init(seed: UInt64) { random = SeededGenerator(seed: seed, stream: "shard-scheduler") }

    static func run(seed: UInt64) -> Outcome {
        var simulation = Simulation(seed: seed)
        return simulation.run()
    }

    mutating func run() -> Outcome {
        let imageCount = 20 + Int(random.next() % 60)
        let workerCount = 2 + Int(random.next() % 4)
        let plan = ShardPlan(imageCount: imageCount, size: ShardPlan.defaultSize(imageCount: imageCount, expectedWorkers: workerCount))
        var resumed: Set<Int> = []
        for shard in plan.shards.indices where random.unit() < 0.1 { resumed.insert(shard) }
        var scheduler = ShardScheduler(plan: plan, heartbeatInterval: 1, missedHeartbeats: 3, alreadyDone: resumed)
        var accepted = Array(repeating: 0, count: plan.count)
        for shard in resumed { accepted[shard] = 1 }
        var log: [String] = []

        var nodes: [Node] = (0..<workerCount).map { index in
            Node(id: WorkerID([UInt8(index), 0x5a]), capacity: 1 + index % 2, joinAt: index == 0 ? 0 : random.unit() * 10)
        }
        // One extra worker joins late and never fails, so the run can always finish.
        nodes.append(Node(id: WorkerID([0xee]), capacity: 2, joinAt: 30 + random.unit() * 10))
        let survivor = nodes.count - 1

        var now = 0.0
        let step = 0.1
        while !scheduler.isComplete && now < 500 {
            for index in nodes.indices {
                var node = nodes[index]
                defer { nodes[index] = node }
                guard now >= node.joinAt, !node.crashed, now >= node.stalledUntil else { continue }
                if index != survivor {
                    let roll = random.unit()
                    if roll < 0.002 {
                        node.crashed = true
                        log.append("\(now) crash \(node.id)")
                        continue
                    } else if roll < 0.006 {
                        node.stalledUntil = now + 1 + random.unit() * 6
                        log.append("\(now) stall \(node.id)")
                        continue
                    }
                }
                if now >= node.nextHeartbeat {
                    scheduler.heard(from: node.id, now: now)
                    node.nextHeartbeat = now + 1
                }
                let finished = node.running.filter { $0.finish <= now }
                node.running.removeAll { $0.finish <= now }
                for job in finished {
                    let copies = random.unit() < 0.2 ? 2 : 1
                    for _ in 0..<copies {
                        let holds = scheduler.workers[node.id]?.shards.contains(job.shard) == true
                        let result = scheduler.completed(shard: job.shard, by: node.id, now: now)
                        log.append("\(now) \(node.id) done \(job.shard) \(result)")
                        if result == .accepted {
                            accepted[job.shard] += 1
                            if !holds { log.append("\(now) \(node.id) late-accepted \(job.shard)") }
                        }
                    }
                }
                let free = node.capacity - node.running.count
                if free > 0 {
                    let running = scheduler.outstanding
                    for shard in scheduler.requestShards(for: node.id, capacity: free, now: now) {
                        log.append("\(now) \(node.id) gets \(shard)\(running[shard] == nil ? "" : " straggler-copy")")
                        let slow = random.unit() < 0.1 ? 5.0 : 1.0
                        node.running.append((shard, now + (0.2 + random.unit()) * slow))
                    }
                }
            }
            for dead in scheduler.tick(now: now) { log.append("\(now) dead \(dead)") }
            now += step
        }
        return Outcome(
            complete: scheduler.isComplete && scheduler.imagesDone == imageCount,
            acceptedPerShard: accepted,
            note: "t=\(now) pending=\(scheduler.pendingCount) outstanding=\(scheduler.outstanding)",
            log: log
        )
    }
}
