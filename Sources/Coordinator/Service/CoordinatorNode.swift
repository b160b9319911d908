import Core
import Foundation
import Logging
import Protocol
import Worker

/// The coordinator's network loop: a ROUTER socket whose messages are decoded,
/// validated and fed to the `ShardScheduler`; accepted shard statistics are merged into
/// the run's statistics. It ends when every shard is in, and tells the workers goodbye.
public final class CoordinatorNode: @unchecked Sendable {
    public struct Options: Sendable {
        public var endpoint: String
        public var shardSize: Int
        public var heartbeatInterval: Double
        public var missedHeartbeats: Int
        /// Malformed messages after which a peer is cut off: everything else it sends is
        /// dropped unread.
        public var malformedLimit: Int
        /// Where to serve Prometheus metrics over HTTP, e.g. `tcp://127.0.0.1:9464`; nil for none.
        public var metricsEndpoint: String?
        /// The journal of accepted results; nil for none.
        public var journalPath: String?
        /// Continue the run recorded in the journal instead of starting a new one.
        public var resume: Bool
        /// True when `journalPath` is the default one next to the output rather than a
        /// path the user named: a journal of this job found there is continued without
        /// `resume`, and one of another job is replaced (with a log line) instead of
        /// stopping the run.
        public var journalIsImplicit: Bool
        /// CURVE encryption and the admitted keys; nil for a plain (loopback) socket.
        public var security: CurveServerKeys?
        /// Seconds without any live worker after which the run ends with an error.
        public var idleTimeout: Double

        public init(
            endpoint: String, shardSize: Int, heartbeatInterval: Double = 1, missedHeartbeats: Int = 3, malformedLimit: Int = 10,
            metricsEndpoint: String? = nil, journalPath: String? = nil, journalIsImplicit: Bool = false, resume: Bool = false,
            security: CurveServerKeys? = nil, idleTimeout: Double = 600
        ) {
            self.security = security
            self.journalPath = journalPath
            self.journalIsImplicit = journalIsImplicit
            self.idleTimeout = idleTimeout
            self.resume = resume
            self.endpoint = endpoint
            self.metricsEndpoint = metricsEndpoint
            self.shardSize = shardSize
            self.heartbeatInterval = heartbeatInterval
            self.missedHeartbeats = missedHeartbeats
            self.malformedLimit = malformedLimit
        }
    }

    /// What the progress callback sees.
    public struct Progress: Sendable {
        public let imagesDone: Int
        public let images: Int
        public let liveWorkers: Int
    }

    private let run: CalibrationRun
    private let dataset: CalibrationDataset
    private let spec: JobSpec
    private let options: Options
    private let logger: Logger
    private let context: ZMQContext
    private let socket: ZMQSocket
    private let metrics: MetricsServer?
    private let journal: ResultJournal?
    private let zap: ZAPHandler?
    private var clock = Stopwatch()
    private let plan: ShardPlan
    private var scheduler: ShardScheduler
    private var statistics: CalibrationStatistics
    private var sessions = Set<WorkerID>()
    private var directory = WorkerDirectory()
    /// What happened to each worker and when, for the report's timeline.
    public private(set) var timeline: [WorkerEvent] = []
    /// What this node did so far.
    public private(set) var counters = ServeCounters()
    private var malformed: [WorkerID: Int] = [:]
    private var cutOff = Set<WorkerID>()
    private let modelMessage: [UInt8]
    /// What the workers that could not serve the job said, latest last.
    private var jobFailures: [String] = []

    /// Binds the socket; `boundEndpoint` tells the port when the endpoint asked for `*`.
    public init(
        run: CalibrationRun, dataset: CalibrationDataset, interpolation: Interpolation, channelOrder: ChannelOrder,
        reader: ImageReader, ignoredNames: [String], ignoredTypes: [String], options: Options, logger: Logger
    ) throws {
        self.run = run
        self.dataset = dataset
        self.options = options
        self.logger = logger
        spec = JobSpec(
            jobID: String(run.modelDigest.prefix(12)), modelDigest: run.modelDigest, interpolation: interpolation.rawValue,
            channelOrder: channelOrder.rawValue, reader: reader.rawValue, inputShape: run.input.shape,
            layout: run.input.layout.rawValue, ignoredNames: ignoredNames, ignoredTypes: ignoredTypes,
            tensorNames: run.plan.activations.map(\.name))
        modelMessage = MessageCodec.encode(
            .model(digest: run.modelDigest, xml: IRWriter.xml(of: run.graph), weights: run.graph.weights))
        let plan = ShardPlan(imageCount: dataset.count, size: options.shardSize)
        self.plan = plan
        var statistics = run.emptyStatistics()
        var resumed = Set<Int>()
        if let path = options.journalPath {
            let key = try Self.jobKey(spec: spec, shardSize: options.shardSize, dataset: dataset)
            let (journal, contents) = try Self.openJournal(path: path, jobKey: key, shardCount: plan.count, options: options, logger: logger)
            if let contents {
                if let damage = contents.damage { logger.warning("journal \(path): \(damage); the intact part is used") }
                for record in contents.records {
                    let result = try CalibrationStatistics(decoding: record.payload)
                    if let problem = Self.mismatch(
                        of: result, shard: record.shard, plan: plan, spec: spec, channelNames: statistics.channelNames) {
                        throw CoordinatorError.journal("journal \(path): the record of shard \(record.shard) is unusable: \(problem)")
                    }
                    try statistics.merge(result)
                    resumed.insert(record.shard)
                }
                let images = resumed.reduce(0) { $0 + plan.shards[$1].count }
                logger.info(
                    "resumed from journal \(path): \(resumed.count) of \(plan.count) shards (\(images) images) already accepted")
            } else if options.resume {
                logger.info("no journal at \(path): starting from scratch")
            }
            self.journal = journal
        } else {
            journal = nil
        }
        self.statistics = statistics
        scheduler = ShardScheduler(
            plan: plan, heartbeatInterval: options.heartbeatInterval, missedHeartbeats: options.missedHeartbeats,
            alreadyDone: resumed)
        let context = try ZMQContext()
        self.context = context
        socket = try ZMQSocket(context: context, kind: .router)
        try socket.setOption(.maxMessageSize, MessageLimits.coordinatorInbound.maxMessageBytes)
        try socket.setOption(.sendTimeout, 1000)
        if let security = options.security {
            // The handler must be in place before the bind: a CURVE server without one admits anybody.
            zap = try ZAPHandler(context: context, authorized: security.authorized) { [logger] decision in
                if decision.allowed {
                    logger.info("\(decision)")
                } else {
                    logger.warning("\(decision)")
                }
            }
            try security.configure(socket)
        } else {
            zap = nil
        }
        try socket.bind(options.endpoint)
        do {
            metrics = try options.metricsEndpoint.map { try MetricsServer(context: context, endpoint: $0) }
        } catch {
            throw CoordinatorError.metrics("cannot serve metrics on \(options.metricsEndpoint ?? "") (--metrics-port): \(error)")
        }
    }

    /// The metrics endpoint actually bound, if metrics are served.
    public var metricsEndpoint: String? { metrics?.boundEndpoint }

    /// The endpoint actually bound (with the port chosen for `tcp://host:*`).
    public var boundEndpoint: String { (try? socket.lastEndpoint) ?? options.endpoint }

    /// Serves workers until all images are in; returns the merged statistics. When it
    /// fails before any result was accepted, the journal (empty) is removed.
    ///
    /// - Parameters:
    ///   - abandon: asked at every turn of the loop; a reason (say, "all local worker
    ///     processes exited") ends the run after a one-second grace period in which
    ///     messages already sent (a worker's `jobFailed`) are still read.
    /// - Throws: `CoordinatorError.shardFailed` when a shard failed too often,
    ///   `.noWorkers` when `abandon` gave a reason or no worker was live for
    ///   `options.idleTimeout` seconds, `.journal` when the journal cannot be written.
    public func serve(progress: (Progress) -> Void = { _ in }, abandon: () -> String? = { nil }) throws -> CalibrationStatistics {
        do {
            return try serveUntilComplete(progress: progress, abandon: abandon)
        } catch {
            // A journal that holds no result is of no use to a later --resume.
            if statistics.imageIndices.isEmpty { try? journal?.remove() }
            throw error
        }
    }

    private func serveUntilComplete(progress: (Progress) -> Void, abandon: () -> String?) throws -> CalibrationStatistics {
        clock = Stopwatch()
        var lastBeat = -Double.infinity
        var lastImages = -1
        // Reported every 10 s, or three times for a short limit.
        var idle = IdleTimeout(limit: options.idleTimeout, reportInterval: min(10, options.idleTimeout / 3))
        var abandonment: (reason: String, at: Double)?
        while !scheduler.isComplete {
            let now = clock.seconds
            if now - lastBeat >= options.heartbeatInterval {
                lastBeat = now
                for worker in live { send(.heartbeat(nil), to: worker) }
                for dead in scheduler.tick(now: now) {
                    timeline.append(WorkerEvent(worker: "\(dead)", seconds: now, kind: .dead))
                    sessions.remove(dead)
                    logger.warning("worker \(dead) missed \(options.missedHeartbeats) heartbeats: declared dead, its shards go back to the queue")
                }
            }
            if let failure = scheduler.failure {
                throw CoordinatorError.shardFailed(failure)
            }
            switch idle.observe(liveWorkers: live.count, now: now) {
            case let .waiting(seconds)?:
                logger.warning(
                    "no live worker for \(Int(seconds)) s; waiting for one at most \(Int(options.idleTimeout)) s (--idle-timeout)\(saidByWorkers)")
            case let .expired(seconds)?:
                throw CoordinatorError.noWorkers("no live worker for \(Int(seconds)) s (--idle-timeout)\(saidByWorkers)")
            case nil:
                break
            }
            if abandonment == nil, let reason = abandon() {
                abandonment = (reason, now)
            }
            if let abandonment, now - abandonment.at >= 1 {
                throw CoordinatorError.noWorkers(abandonment.reason + saidByWorkers)
            }
            if scheduler.imagesDone != lastImages {
                lastImages = scheduler.imagesDone
                progress(Progress(imagesDone: lastImages, images: dataset.count, liveWorkers: live.count))
            }
            let readable = try ZMQPoller.poll([socket] + (metrics.map { [$0.socket] } ?? []), timeoutMilliseconds: 100)
            if readable.count > 1, readable[1] {
                try metrics?.serveReadable { PrometheusMetrics.render(status(now: clock.seconds)) }
            }
            guard readable[0], let frames = try socket.receive() else { continue }
            try receive(frames, now: clock.seconds)
        }
        progress(Progress(imagesDone: scheduler.imagesDone, images: dataset.count, liveWorkers: live.count))
        for worker in sessions { send(.bye, to: worker) }
        logger.info(
            "all \(plan.imageCount) images in: \(counters.imagesComputed) computed in this run, \(counters.resultsAccepted) results merged, \(counters.duplicateResults) duplicates dropped")
        return statistics
    }

    /// One message from the ROUTER: `[identity, frame]`, checked, decoded and handled.
    private func receive(_ frames: [[UInt8]], now: Double) throws {
        let worker = WorkerID(frames[0])
        guard !cutOff.contains(worker) else { return }
        guard frames.count == 2 else {
            logger.warning("dropped a message of \(frames.count - 1) frames from \(worker); a message is one frame")
            countMalformed(from: worker, now: now)
            return
        }
        let message: Message
        do {
            message = try MessageCodec.decode(frames[1], limits: .coordinatorInbound)
        } catch {
            if case let .unsupportedVersion(found) = error {
                refuse(worker, version: found)
            } else {
                logger.warning("dropped a malformed message from \(worker): \(error)")
                countMalformed(from: worker, now: now)
            }
            return
        }
        try handle(message, from: worker, now: now)
    }

    /// Refuses a peer that speaks protocol version `version`, in words both sides print.
    private func refuse(_ worker: WorkerID, version: UInt16) {
        let reason = "protocol version \(version) is not supported; this coordinator speaks version \(ProtocolVersion.current)"
        send(.refused(reason: reason), to: worker)
        logger.warning("refused worker \(worker): \(reason)")
    }

    /// The workers' own words about why they could not serve the job, for an error message.
    private var saidByWorkers: String {
        guard let last = jobFailures.last else { return "" }
        let others = jobFailures.count > 1 ? " (and \(jobFailures.count - 1) more)" : ""
        return "; a worker could not serve the job\(others): \(last)"
    }

    private var live: [WorkerID] { sessions.sorted() }

    /// The run as `calib status` sees it now: after `serve`, each worker's final share.
    public var clusterStatus: ClusterStatus { status(now: clock.seconds) }

    /// The run as `calib status` sees it, at coordinator time `now`.
    private func status(now: Double) -> ClusterStatus {
        directory.status(scheduler: scheduler, jobID: spec.jobID, now: now)
    }

    /// Counts a malformed message; at the limit the peer is cut off and its shards requeued.
    private func countMalformed(from worker: WorkerID, now: Double) {
        malformed[worker, default: 0] += 1
        guard malformed[worker, default: 0] >= options.malformedLimit else { return }
        cutOff.insert(worker)
        logger.warning("cut off peer \(worker) after \(options.malformedLimit) malformed messages; it is ignored from now on")
        if sessions.remove(worker) != nil {
            scheduler.workerLeft(worker, now: now)
            directory.left(worker)
        }
    }

    private func handle(_ message: Message, from worker: WorkerID, now: Double) throws {
        if case .statusRequest = message {
            send(.status(status(now: now)), to: worker)
            return
        }
        if case let .hello(hello) = message {
            guard hello.protocolVersion == ProtocolVersion.current else {
                refuse(worker, version: hello.protocolVersion)
                return
            }
            logger.info("worker \(worker) joined: \(hello.host) pid \(hello.pid), calib \(hello.calibVersion), OpenVINO \(hello.openVINOVersion)")
            sessions.insert(worker)
            directory.joined(worker, hello: hello)
            scheduler.workerJoined(worker, now: now)
            send(.job(spec), to: worker)
            return
        }
        guard sessions.contains(worker) else {
            logger.warning("dropped a message from \(worker), which has not said hello")
            return
        }
        scheduler.heard(from: worker, now: now)
        switch message {
        case let .modelRequest(digest) where digest == run.modelDigest:
            sendRaw(modelMessage, to: worker)
        case let .ready(capacity):
            for shard in scheduler.requestShards(for: worker, capacity: Int(capacity), now: now) {
                send(.shard(try shardMessage(shard)), to: worker)
            }
        case let .result(id, bytes):
            let shard = Int(id)
            guard shard < plan.shards.count else { return }
            let clock = ContinuousClock()
            let start = clock.now
            let result: CalibrationStatistics
            do {
                result = try CalibrationStatistics(decoding: bytes)
            } catch {
                logger.warning("dropped the result of shard \(shard) from \(worker): \(error)")
                countMalformed(from: worker, now: now)
                return
            }
            if let problem = Self.mismatch(
                of: result, shard: shard, plan: plan, spec: spec, channelNames: statistics.channelNames) {
                logger.warning("dropped the result of shard \(shard) from \(worker): \(problem)")
                countMalformed(from: worker, now: now)
                return
            }
            switch scheduler.completed(shard: shard, by: worker, now: now) {
            case .accepted:
                let journalStart = clock.now
                do {
                    try journal?.append(shard: shard, payload: bytes)
                } catch {
                    throw CoordinatorError.journal(
                        "\(error); the results accepted before are safe in the journal: fix this and run again with --resume")
                }
                let journalEnd = clock.now
                try statistics.merge(result)
                timeline.append(WorkerEvent(worker: "\(worker)", seconds: now, kind: .accepted(images: plan.shards[shard].count)))
                counters.resultsAccepted += 1
                counters.bytesAccepted += bytes.count
                counters.imagesComputed += plan.shards[shard].count
                counters.journalSeconds += (journalEnd - journalStart) / .seconds(1)
                counters.mergeSeconds += (clock.now - start - (journalEnd - journalStart)) / .seconds(1)
            case .duplicate:
                counters.duplicateResults += 1
            case .unknown:
                break
            }
        case let .shardFailed(id, reason):
            timeline.append(WorkerEvent(worker: "\(worker)", seconds: now, kind: .failed))
            directory.failed(worker)
            scheduler.failed(shard: Int(id), by: worker, now: now, reason: reason)
        case let .heartbeat(report?):
            directory.reported(worker, status: report)
        case .bye:
            timeline.append(WorkerEvent(worker: "\(worker)", seconds: now, kind: .left))
            sessions.remove(worker)
            directory.left(worker)
            scheduler.workerLeft(worker, now: now)
        case let .jobFailed(reason):
            logger.error("worker \(worker) cannot serve the job and left: \(reason)")
            jobFailures.append(reason)
            timeline.append(WorkerEvent(worker: "\(worker)", seconds: now, kind: .failed))
            sessions.remove(worker)
            directory.failed(worker)
            directory.left(worker)
            scheduler.workerLeft(worker, now: now)
        default:
            break
        }
    }

    /// Deletes the journal: call it once the run's output is safely written.
    public func removeJournal() throws {
        try journal?.remove()
    }

    /// Opens the journal at `path` for a run of `jobKey`, with what it already holds when
    /// the run continues an earlier one (nil for a new journal). An explicit journal is
    /// continued only with `resume` and is never replaced; the implicit one (next to the
    /// output) of this job is continued, and of another job replaced with a log line.
    private static func openJournal(
        path: String, jobKey: String, shardCount: Int, options: Options, logger: Logger
    ) throws -> (ResultJournal, JournalContents?) {
        var status = stat()
        let exists = lstat(path, &status) == 0
        guard options.resume || (exists && options.journalIsImplicit) else {
            return (try ResultJournal.create(path: path, jobKey: jobKey, shardCount: shardCount), nil)
        }
        do {
            let (journal, contents) = try ResultJournal.resume(path: path, jobKey: jobKey, shardCount: shardCount)
            return (journal, journal.wasCreated ? nil : contents)
        } catch let error as JournalError where options.journalIsImplicit && !options.resume && error.isOfAnotherJob {
            logger.notice("replacing \(path), the journal of another job (the model, the images or the options changed)")
            guard unlink(path) == 0 || errno == ENOENT else {
                throw JournalError.io(path: path, operation: "removal", code: errno)
            }
            return (try ResultJournal.create(path: path, jobKey: jobKey, shardCount: shardCount), nil)
        }
    }

    /// The journal's job key: the job spec, the shard size, and the images by name and size.
    private static func jobKey(spec: JobSpec, shardSize: Int, dataset: CalibrationDataset) throws -> String {
        let images = try (0..<dataset.count).map { index in
            let url = try dataset.url(at: index)
            let size = (try? FileManager.default.attributesOfItem(atPath: url.path)[.size] as? Int) ?? -1
            return (name: url.lastPathComponent, bytes: size)
        }
        return JobKey(
            modelDigest: spec.modelDigest, tensorNames: spec.tensorNames, interpolation: spec.interpolation,
            channelOrder: spec.channelOrder, reader: spec.reader, inputShape: spec.inputShape, layout: spec.layout,
            shardSize: shardSize, images: images
        ).hex
    }

    /// Why `result` cannot be the statistics of `shard` of this job, if it cannot.
    private static func mismatch(
        of result: CalibrationStatistics, shard: Int, plan: ShardPlan, spec: JobSpec, channelNames: [String]
    ) -> String? {
        guard plan.shards.indices.contains(shard) else { return "shard \(shard) is not in the plan" }
        guard result.modelDigest == spec.modelDigest else { return "it is for model \(result.modelDigest.prefix(12))" }
        guard result.tensorNames == spec.tensorNames else { return "it has other tensors than the job" }
        guard result.channelNames == channelNames else { return "it has other per-channel figures than the job" }
        let images = Array(plan.shards[shard])
        guard result.tensors.allSatisfy({ $0.perImage.keys.sorted() == images }),
            result.channelFigures.allSatisfy({ $0.perImage.keys.sorted() == images })
        else {
            return "it does not hold exactly images \(images.first ?? 0)..<\(images.last.map { $0 + 1 } ?? 0) in every tensor"
        }
        return nil
    }

    private func shardMessage(_ shard: Int) throws -> Shard {
        let images = try plan.shards[shard].map { index in
            let url = try dataset.url(at: index)
            return ShardImage(index: UInt32(index), name: url.lastPathComponent, bytes: try AtomicFile.read(url.path))
        }
        return Shard(id: UInt32(shard), images: images)
    }

    private func send(_ message: Message, to worker: WorkerID) {
        sendRaw(MessageCodec.encode(message), to: worker)
    }

    private func sendRaw(_ bytes: [UInt8], to worker: WorkerID) {
        do {
            try socket.send([worker.bytes, bytes])
        } catch {
            logger.warning("could not send to worker \(worker): \(error)")
        }
    }
}

/// Why a distributed run stopped.
public enum CoordinatorError: Error, Sendable, CustomStringConvertible {
    /// A shard failed on workers as often as allowed.
    case shardFailed(String)
    /// The journal could not be read or written.
    case journal(String)
    /// No worker is left to do the work (all exited, or none live for the idle timeout).
    case noWorkers(String)
    /// The metrics port could not be served.
    case metrics(String)

    public var description: String {
        switch self {
        case let .shardFailed(reason): "calibration stopped: \(reason)"
        case let .journal(reason): "calibration stopped: \(reason)"
        case let .noWorkers(reason): "calibration stopped: \(reason)"
        case let .metrics(reason): reason
        }
    }
}
