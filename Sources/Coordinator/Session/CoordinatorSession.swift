import Core
import Logging
import Protocol

/// The coordinator's whole policy for one job, as a pure state machine: who may talk
/// (versions, hello, the cut-off rule), what each message means (scheduling, model
/// transfer, results), when a worker is dead and when the run is over.
///
/// It exists so that every rule is tested in-process, thousands of workers at a time,
/// without sockets or real time. Events come in with their arrival time in seconds on a
/// monotonic clock (`received`, `tick`, `verified`, `abandon`); each returns the
/// ``CoordinatorAction``s for the shell to carry out. The ZeroMQ loop only moves bytes
/// and reads the clock; decoding and merging results happen on other threads, between
/// `.verify` and `verified`.
///
/// A result goes through four steps: the worker offers it and the session grants it
/// when fewer than `resultsInFlight` are held (`ResultFlow`); on arrival it is checked
/// cheaply (is the shard in the plan, still open, run by this worker?) and sent to be
/// verified; one copy per shard is verified at a time, later copies wait behind it; a
/// verified copy completes the shard (`.commit`) and is held until the shell has merged
/// it (`settled`; the journal keeps a bounded queue of its own), a rejected one counts as the worker's failure of the
/// shard and the next copy, if any, is verified.
public struct CoordinatorSession: Sendable {
    /// What the session is run with.
    public struct Settings: Sendable {
        /// The job every worker gets.
        public var spec: JobSpec
        /// The shards of the calibration set.
        public var plan: ShardPlan
        /// Seconds between heartbeats, both ways.
        public var heartbeatInterval: Double
        /// Heartbeat intervals of silence after which a worker is dead.
        public var missedHeartbeats: Int
        /// Malformed messages after which a peer is cut off: everything else it sends is
        /// dropped unread.
        public var malformedLimit: Int
        /// Seconds without any live worker after which the run fails.
        public var idleTimeout: Double
        /// Bytes of model chunks in flight over all workers.
        public var transferBudget: Int
        /// Results granted and not yet merged, at most.
        public var resultsInFlight: Int
        /// Shards sent and not yet acknowledged, at most.
        public var shardsInTransit: Int
        /// The instruction set every worker is limited to; nil takes the first worker's.
        public var instructionSet: InstructionSet?
        /// Let workers use whatever instruction set they have: the output may then depend
        /// on which worker computed which image.
        public var allowMixedInstructionSets: Bool

        public init(
            spec: JobSpec, plan: ShardPlan, heartbeatInterval: Double = 1, missedHeartbeats: Int = 3, malformedLimit: Int = 10,
            idleTimeout: Double = 600, transferBudget: Int = 64 << 20, resultsInFlight: Int = 32, shardsInTransit: Int = 64,
            instructionSet: InstructionSet? = nil, allowMixedInstructionSets: Bool = false
        ) {
            self.shardsInTransit = shardsInTransit
            self.resultsInFlight = resultsInFlight
            self.instructionSet = instructionSet
            self.allowMixedInstructionSets = allowMixedInstructionSets
            self.spec = spec
            self.plan = plan
            self.heartbeatInterval = heartbeatInterval
            self.missedHeartbeats = missedHeartbeats
            self.malformedLimit = malformedLimit
            self.idleTimeout = idleTimeout
            self.transferBudget = transferBudget
        }
    }

    /// How the run ended.
    public enum Outcome: Sendable {
        /// Every shard's result is committed.
        case complete
        /// The run cannot complete.
        case failed(CoordinatorError)
    }

    /// A result waiting to be verified, or being verified (the first of its shard).
    private struct Candidate: Sendable {
        let worker: WorkerID
        let statistics: [UInt8]
    }

    public let settings: Settings
    /// Which worker runs which shard.
    public private(set) var scheduler: ShardScheduler
    /// What happened to each worker and when, for the report's timeline.
    public private(set) var timeline: [WorkerEvent] = []
    /// What the session did so far.
    public private(set) var counters = ServeCounters()
    /// Set once the run is over.
    public private(set) var outcome: Outcome?

    private var transfer: ModelTransfer
    private var results: ResultFlow
    private var dispatch: ShardDispatch
    /// The instruction set the job's workers are limited to, once known.
    public private(set) var instructionSet: InstructionSet?
    private var registry = WorkerRegistry()
    private var sessions = Set<WorkerID>()
    /// Workers declared dead: one heard from again was alive after all and is taken back.
    private var buried = Set<WorkerID>()
    private var malformed: [WorkerID: Int] = [:]
    private var cutOff = Set<WorkerID>()
    /// Peers refused at hello: what they sent before reading the refusal is dropped unlogged.
    private var refused = Set<WorkerID>()
    /// Peers without a session told to reconnect: told once, the rest of what they sent
    /// before reconnecting is dropped unlogged.
    private var toldToReconnect = Set<WorkerID>()
    /// Results per shard in verification: the first is being verified.
    private var verifying: [Int: [Candidate]] = [:]
    private var idle: IdleTimeout
    private var lastTick: Double?
    private var lastHeartbeat = -Double.infinity
    private var abandonment: (reason: String, at: Double)?
    /// What the workers that could not serve the job said, latest last.
    private var jobFailures: [String] = []

    /// - Parameters:
    ///   - model: the model's IR text and weights, whose SHA-256 is `settings.spec.modelDigest`.
    ///   - alreadyDone: shards complete from the start (resumed from a journal).
    public init(settings: Settings, model: (xml: [UInt8], weights: [UInt8]), alreadyDone: Set<Int> = []) {
        self.settings = settings
        scheduler = ShardScheduler(
            plan: settings.plan, heartbeatInterval: settings.heartbeatInterval, missedHeartbeats: settings.missedHeartbeats,
            alreadyDone: alreadyDone)
        transfer = ModelTransfer(
            digest: settings.spec.modelDigest, xml: model.xml, weights: model.weights, budget: settings.transferBudget)
        results = ResultFlow(limit: settings.resultsInFlight)
        dispatch = ShardDispatch(limit: settings.shardsInTransit)
        instructionSet = settings.instructionSet
        // Reported every 10 s, or three times for a short limit.
        idle = IdleTimeout(limit: settings.idleTimeout, reportInterval: min(10, settings.idleTimeout / 3))
        if scheduler.isComplete { outcome = .complete }
    }

    // MARK: Queries

    /// Workers in a session now, sorted.
    public var liveWorkers: [WorkerID] { sessions.sorted() }

    /// How many workers are in a session now.
    public var liveWorkerCount: Int { sessions.count }

    /// Results granted and not yet settled (arriving, being verified or merged).
    public var resultsInFlight: Int { results.inFlight }

    /// Model bytes sent so far, and the most ever in flight at once.
    public var modelTransfer: (bytesSent: Int, peakBytesInFlight: Int) { (transfer.bytesSent, transfer.peakBytesInFlight) }

    /// The run as `calib status` sees it at time `now`.
    public func status(at now: Double) -> ClusterStatus {
        registry.status(
            scheduler: scheduler, jobID: settings.spec.jobID, now: now,
            instructionSet: settings.allowMixedInstructionSets ? nil : instructionSet)
    }

    // MARK: Events

    /// One message from the ROUTER socket, `[identity, frame]`, that arrived at `now`.
    public mutating func received(_ frames: [[UInt8]], at now: Double) -> [CoordinatorAction] {
        guard outcome == nil, let identity = frames.first else { return [] }
        let worker = WorkerID(identity)
        guard !cutOff.contains(worker) else { return [] }
        guard frames.count == 2 else {
            return malformedMessage(from: worker, now: now, "dropped a message of \(frames.count - 1) frames from \(worker); a message is one frame")
        }
        let message: Message
        do {
            message = try MessageCodec.decode(frames[1], limits: .coordinatorInbound)
        } catch {
            if case let .unsupportedVersion(found) = error { return refusal(of: worker, version: found) }
            return malformedMessage(from: worker, now: now, "dropped a malformed message from \(worker): \(error)")
        }
        return handle(message, from: worker, now: now)
    }

    /// The clock at `now`: heartbeats when due, dead workers, the idle timeout, the end.
    /// Call it at least every heartbeat interval; a longer gap is taken as the
    /// coordinator's own stall, which no worker is blamed for.
    public mutating func tick(at now: Double) -> [CoordinatorAction] {
        guard outcome == nil else { return [] }
        var actions: [CoordinatorAction] = []
        if let lastTick, now - lastTick > settings.heartbeatInterval {
            scheduler.excuse(stall: now - lastTick, now: now)
            actions.append(.log(.notice, "the coordinator could not listen for \(Self.seconds(now - lastTick)); no worker is blamed for that silence"))
        }
        lastTick = now
        if now - lastHeartbeat >= settings.heartbeatInterval {
            lastHeartbeat = now
            actions += liveWorkers.map { .send(.heartbeat(nil), to: $0) }
            for dead in scheduler.tick(now: now) {
                timeline.append(WorkerEvent(worker: "\(dead)", seconds: now, kind: .dead))
                sessions.remove(dead)
                buried.insert(dead)
                actions += transfer.forget(dead).map { .send($1, to: $0) }
                results.forget(dead)
                dispatch.forget(dead)
                actions += grantResults(now: now)
                actions.append(.log(.warning, "worker \(dead) missed \(settings.missedHeartbeats) heartbeats: declared dead, its shards go back to the queue"))
            }
        }
        if let failure = scheduler.failure {
            outcome = .failed(.shardFailed(failure))
            return actions
        }
        actions += dispatchShards(now: now)
        switch idle.observe(liveWorkers: liveWorkerCount, now: now) {
        case let .waiting(seconds)?:
            actions.append(.log(.warning, "no live worker for \(Int(seconds)) s; waiting for one at most \(Int(settings.idleTimeout)) s (--idle-timeout)\(saidByWorkers)"))
        case let .expired(seconds)?:
            outcome = .failed(.noWorkers("no live worker for \(Int(seconds)) s (--idle-timeout)\(saidByWorkers)"))
        case nil:
            break
        }
        if outcome == nil, let abandonment, now - abandonment.at >= 1 {
            outcome = .failed(.noWorkers(abandonment.reason + saidByWorkers))
        }
        return actions
    }

    /// The shell gives up on the workers for `reason` (say, every local worker process
    /// exited): the run fails one second after `now`, time in which messages already
    /// sent (a worker's `jobFailed`) are still read.
    public mutating func abandon(because reason: String, at now: Double) {
        if abandonment == nil { abandonment = (reason, now) }
    }

    /// The verification of `shard`'s result from `worker` ended: `rejection` is nil when
    /// it decoded and matches the job.
    public mutating func verified(shard: Int, from worker: WorkerID, rejection: ResultRejection?, at now: Double) -> [CoordinatorAction] {
        let actions = conclude(shard: shard, from: worker, rejection: rejection, now: now)
        return actions + grantResults(now: now)
    }

    /// Takes a verified result, or drops it and verifies the next copy.
    private mutating func conclude(shard: Int, from worker: WorkerID, rejection: ResultRejection?, now: Double) -> [CoordinatorAction] {
        guard var candidates = verifying[shard], candidates.first?.worker == worker else { return [.discard(shard: shard, from: worker)] }
        let candidate = candidates.removeFirst()
        var actions: [CoordinatorAction] = []
        if let rejection {
            results.settle(ResultFlow.Key(shard: shard, worker: worker))
            actions.append(.discard(shard: shard, from: worker))
            actions.append(.log(.warning, "dropped the result of shard \(shard) from \(worker): \(rejection)"))
            actions += countMalformed(from: worker, now: now)
            if case let .fatal(message) = scheduler.failed(shard: shard, by: worker, now: now, reason: "its result was unusable: \(rejection)") {
                outcome = .failed(.shardFailed(message))
            }
        } else if outcome == nil, scheduler.completed(shard: shard, by: worker, now: now) == .accepted {
            let images = settings.plan.shards[shard].count
            timeline.append(WorkerEvent(worker: "\(worker)", seconds: now, kind: .accepted(images: images)))
            counters.resultsAccepted += 1
            counters.bytesAccepted += candidate.statistics.count
            counters.imagesComputed += images
            counters.duplicateResults += candidates.count
            for copy in candidates { results.settle(ResultFlow.Key(shard: shard, worker: copy.worker)) }
            verifying[shard] = nil
            actions.append(.commit(shard: shard, from: worker, statistics: candidate.statistics))
            if scheduler.isComplete { outcome = .complete }
            return actions
        } else {
            results.settle(ResultFlow.Key(shard: shard, worker: worker))
            actions.append(.discard(shard: shard, from: worker))
        }
        // The next copy, if any, is verified in turn.
        if let next = candidates.first, outcome == nil {
            verifying[shard] = candidates
            actions.append(.verify(shard: shard, from: next.worker, statistics: next.statistics))
        } else {
            verifying[shard] = nil
        }
        return actions
    }

    /// The shell merged the committed result of `shard` from `worker`:
    /// its place in flight goes to the next offer.
    public mutating func settled(shard: Int, from worker: WorkerID, at now: Double) -> [CoordinatorAction] {
        results.settle(ResultFlow.Key(shard: shard, worker: worker))
        return grantResults(now: now)
    }

    // MARK: Messages

    private mutating func handle(_ message: Message, from worker: WorkerID, now: Double) -> [CoordinatorAction] {
        if case .statusRequest = message {
            return [.send(.status(status(at: now)), to: worker)]
        }
        if case let .hello(hello) = message {
            return welcome(worker, hello: hello, now: now)
        }
        var actions: [CoordinatorAction] = []
        if buried.remove(worker) != nil {
            sessions.insert(worker)
            actions.append(.log(.notice, "worker \(worker), declared dead, was heard from again: it is back"))
        }
        guard sessions.contains(worker) else {
            // A worker of a session this coordinator does not know (its socket reconnected
            // by itself after a restart) is told once to start a new one.
            guard !refused.contains(worker), toldToReconnect.insert(worker).inserted else { return [] }
            return [
                .send(.reconnect, to: worker),
                .log(.info, "a \(message.type) message from \(worker), which has not said hello here: asked it to reconnect"),
            ]
        }
        scheduler.heard(from: worker, now: now)
        return actions + handleInSession(message, from: worker, now: now)
    }

    /// A message from a worker in a session.
    private mutating func handleInSession(_ message: Message, from worker: WorkerID, now: Double) -> [CoordinatorAction] {
        switch message {
        case let .modelFetch(fetch):
            guard fetch.digest == settings.spec.modelDigest else {
                return malformedMessage(from: worker, now: now, "dropped a fetch of model \(fetch.digest.prefix(12)) from \(worker), which is not the job's")
            }
            return transfer.fetch(fetch, from: worker).map { .send($1, to: $0) }
        case let .ready(capacity):
            // Served now as far as there is room (straggler copies included, as for any
            // worker asking); the rest stands until shards are pending and there is room.
            let shards = scheduler.requestShards(for: worker, capacity: min(Int(capacity), dispatch.room), now: now)
            dispatch.request(Int(capacity), from: worker)
            dispatch.record(shards, sentTo: worker)
            return shards.map { .sendShard($0, to: worker) }
        case let .shardReceived(id):
            dispatch.arrived(Int(id), at: worker)
            return dispatchShards(now: now)
        case let .resultOffer(id, bytes):
            dispatch.arrived(Int(id), at: worker)
            return offer(of: Int(id), bytes: bytes, from: worker, now: now) + dispatchShards(now: now)
        case let .result(id, statistics):
            guard results.arrived(ResultFlow.Key(shard: Int(id), worker: worker)) else {
                return malformedMessage(from: worker, now: now, "dropped a result of shard \(id) from \(worker), which was not granted")
            }
            return result(of: Int(id), from: worker, statistics: statistics, now: now)
        case let .shardFailed(id, reason, kind):
            timeline.append(WorkerEvent(worker: "\(worker)", seconds: now, kind: .failed))
            registry.failed(worker)
            dispatch.arrived(Int(id), at: worker)
            if case let .fatal(message) = scheduler.failed(shard: Int(id), by: worker, now: now, reason: reason, retryable: kind == .transient) {
                outcome = .failed(kind == .input ? .input(message) : .shardFailed(message))
                return []
            }
            return dispatchShards(now: now)
        case let .heartbeat(report):
            if let report { registry.reported(worker, status: report) }
            return []
        case .bye:
            timeline.append(WorkerEvent(worker: "\(worker)", seconds: now, kind: .left))
            // Mid-run a goodbye is news (a worker stopped, say by SIGTERM); after the end it is not.
            let note: [CoordinatorAction] = outcome == nil ? [.log(.info, "worker \(worker) said goodbye and left")] : []
            return note + end(worker, now: now)
        case let .jobFailed(reason):
            jobFailures.append(reason)
            timeline.append(WorkerEvent(worker: "\(worker)", seconds: now, kind: .failed))
            registry.failed(worker)
            return [.log(.error, "worker \(worker) cannot serve the job and left: \(reason)")] + end(worker, now: now)
        case .hello, .statusRequest:
            return []
        case .refused, .job, .modelChunk, .shard, .status, .resultGrant, .resultDrop, .reconnect:
            return malformedMessage(from: worker, now: now, "dropped a \(message.type) message from \(worker): only the coordinator sends it")
        }
    }

    private mutating func welcome(_ worker: WorkerID, hello: Hello, now: Double) -> [CoordinatorAction] {
        guard hello.protocolVersion == ProtocolVersion.current else { return refusal(of: worker, version: hello.protocolVersion) }
        var actions: [CoordinatorAction] = []
        var spec = settings.spec
        if !settings.allowMixedInstructionSets {
            guard let own = InstructionSet(rawValue: hello.instructionSet) else {
                return refusal(
                    of: worker,
                    reason: "instruction set '\(hello.instructionSet)' is not one of \(InstructionSet.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            if instructionSet == nil {
                instructionSet = own
                actions.append(.log(.notice, "job pinned to instruction set \(own.rawValue), the first worker's: every worker computes the same bits (--cpu-isa to choose, --allow-mixed-isa to let each use its own)"))
            }
            if let pinned = instructionSet {
                guard own >= pinned else {
                    return refusal(
                        of: worker,
                        reason: "this job runs on instruction set \(pinned.rawValue) so that its output does not depend on which worker computed which image, and this worker has only \(own.rawValue): start the coordinator with --cpu-isa \(own.rawValue) or --allow-mixed-isa")
                }
                spec.instructionSet = pinned.rawValue
            }
        }
        if sessions.contains(worker) {
            // A second hello starts a new session: whatever the old one held goes back.
            actions += end(worker, now: now)
        }
        sessions.insert(worker)
        buried.remove(worker)
        refused.remove(worker)
        registry.joined(worker, hello: hello)
        scheduler.workerJoined(worker, now: now)
        actions.append(.log(.info, "worker \(worker) joined from host \(hello.host), pid \(hello.pid), calib \(hello.calibVersion), OpenVINO \(hello.openVINOVersion)"))
        actions.append(.send(.job(spec), to: worker))
        return actions
    }

    /// A result arrived: dropped when its shard is done or not this worker's, queued
    /// behind a copy in verification, or sent to be verified.
    private mutating func result(of shard: Int, from worker: WorkerID, statistics: [UInt8], now: Double) -> [CoordinatorAction] {
        let key = ResultFlow.Key(shard: shard, worker: worker)
        if scheduler.completedShards.contains(shard) {
            counters.duplicateResults += 1
            _ = scheduler.completed(shard: shard, by: worker, now: now)
            results.settle(key)
            return grantResults(now: now)
        }
        guard scheduler.expects(shard: shard, from: worker) else {
            results.settle(key)
            return [.log(.warning, "dropped a result of shard \(shard) from \(worker), which was not given it")] + grantResults(now: now)
        }
        if verifying[shard] != nil {
            guard verifying[shard]?.contains(where: { $0.worker == worker }) == false else {
                counters.duplicateResults += 1
                results.settle(key)
                return grantResults(now: now)
            }
            verifying[shard]?.append(Candidate(worker: worker, statistics: statistics))
            return []
        }
        verifying[shard] = [Candidate(worker: worker, statistics: statistics)]
        return [.verify(shard: shard, from: worker, statistics: statistics)]
    }

    /// A worker offers the result of `shard`: queued for a grant, or dropped when the
    /// shard is done or not this worker's.
    private mutating func offer(of shard: Int, bytes: UInt64, from worker: WorkerID, now: Double) -> [CoordinatorAction] {
        guard bytes <= UInt64(MessageLimits.coordinatorInbound.maxMessageBytes) else {
            var actions: [CoordinatorAction] = [.send(.resultDrop(shardID: UInt32(shard)), to: worker)]
            let reason = "its result of \(bytes) bytes is larger than the \(MessageLimits.coordinatorInbound.maxMessageBytes) a coordinator accepts"
            actions.append(.log(.warning, "dropped the result of shard \(shard) from \(worker): \(reason)"))
            if case let .fatal(message) = scheduler.failed(shard: shard, by: worker, now: now, reason: reason) {
                outcome = .failed(.shardFailed(message))
            }
            return actions
        }
        _ = results.offer(ResultFlow.Key(shard: shard, worker: worker))
        return grantResults(now: now)
    }

    /// Sends shards for standing requests while few enough are on their way.
    private mutating func dispatchShards(now: Double) -> [CoordinatorAction] {
        guard outcome == nil, scheduler.pendingCount > 0, dispatch.room > 0 else { return [] }
        var actions: [CoordinatorAction] = []
        for (worker, capacity) in dispatch.openRequests where dispatch.room > 0 && scheduler.pendingCount > 0 && sessions.contains(worker) {
            let shards = scheduler.assignPendingShards(to: worker, capacity: min(capacity, dispatch.room))
            dispatch.record(shards, sentTo: worker)
            actions += shards.map { .sendShard($0, to: worker) }
        }
        return actions
    }

    /// Grants waiting offers while there is room; tells the workers of unneeded ones.
    private mutating func grantResults(now: Double) -> [CoordinatorAction] {
        let decided: (grants: [ResultFlow.Key], drops: [ResultFlow.Key])
        do {
            // Read-only copies for the closure, gone before the scheduler changes below
            // (held longer, they would make that change copy its storage).
            let (scheduler, sessions) = (scheduler, sessions)
            decided = results.grant { sessions.contains($0.worker) && scheduler.expects(shard: $0.shard, from: $0.worker) }
        }
        var actions: [CoordinatorAction] = decided.grants.map { .send(.resultGrant(shardID: UInt32($0.shard)), to: $0.worker) }
        for drop in decided.drops where sessions.contains(drop.worker) {
            if scheduler.completedShards.contains(drop.shard) {
                counters.duplicateResults += 1
                _ = scheduler.completed(shard: drop.shard, by: drop.worker, now: now)
            }
            actions.append(.send(.resultDrop(shardID: UInt32(drop.shard)), to: drop.worker))
        }
        return actions
    }

    /// Ends `worker`'s session: its shards, its model transfer and its results in flight
    /// are released.
    private mutating func end(_ worker: WorkerID, now: Double) -> [CoordinatorAction] {
        buried.remove(worker)
        guard sessions.remove(worker) != nil else { return [] }
        registry.left(worker)
        scheduler.workerLeft(worker, now: now)
        results.forget(worker)
        dispatch.forget(worker)
        return transfer.forget(worker).map { .send($1, to: $0) } + grantResults(now: now) + dispatchShards(now: now)
    }

    /// Refuses a peer that speaks protocol version `version`, in words both sides print.
    private mutating func refusal(of worker: WorkerID, version: UInt16) -> [CoordinatorAction] {
        refusal(of: worker, reason: "protocol version \(version) is not supported; this coordinator speaks version \(ProtocolVersion.current)")
    }

    /// Refuses a peer for `reason`, which both sides print.
    private mutating func refusal(of worker: WorkerID, reason: String) -> [CoordinatorAction] {
        refused.insert(worker)
        return [.send(.refused(reason: reason), to: worker), .log(.warning, "refused worker \(worker): \(reason)")]
    }

    private mutating func malformedMessage(from worker: WorkerID, now: Double, _ line: String) -> [CoordinatorAction] {
        [.log(.warning, line)] + countMalformed(from: worker, now: now)
    }

    /// Counts a malformed message; at the limit the peer is cut off and its shards requeued.
    private mutating func countMalformed(from worker: WorkerID, now: Double) -> [CoordinatorAction] {
        malformed[worker, default: 0] += 1
        guard malformed[worker, default: 0] >= settings.malformedLimit, !cutOff.contains(worker) else { return [] }
        cutOff.insert(worker)
        return [.log(.warning, "cut off peer \(worker) after \(settings.malformedLimit) malformed messages; it is ignored from now on")]
            + end(worker, now: now)
    }

    /// The workers' own words about why they could not serve the job, for an error message.
    private var saidByWorkers: String {
        guard let last = jobFailures.last else { return "" }
        let others = jobFailures.count > 1 ? " (and \(jobFailures.count - 1) more)" : ""
        return "; a worker could not serve the job\(others): \(last)"
    }

    private static func seconds(_ value: Double) -> String {
        "\(Double(Int(value * 10)) / 10) s"
    }
}
