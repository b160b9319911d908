import Core
import Foundation
import Logging
import Protocol

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
        /// The instruction set every worker is limited to; nil takes the first worker's.
        public var instructionSet: InstructionSet?
        /// Let each worker use its own instruction set (the output may then depend on
        /// which worker computed which image).
        public var allowMixedInstructionSets: Bool

        public init(
            endpoint: String, shardSize: Int, heartbeatInterval: Double = 1, missedHeartbeats: Int = 3, malformedLimit: Int = 10,
            metricsEndpoint: String? = nil, journalPath: String? = nil, journalIsImplicit: Bool = false, resume: Bool = false,
            security: CurveServerKeys? = nil, idleTimeout: Double = 600, instructionSet: InstructionSet? = nil,
            allowMixedInstructionSets: Bool = false
        ) {
            self.instructionSet = instructionSet
            self.allowMixedInstructionSets = allowMixedInstructionSets
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

    /// What the progress callback sees: soon after images are merged or workers come or go
    /// (within about a tenth of a second), and every second.
    public struct Progress: Sendable {
        public let imagesDone: Int
        public let images: Int
        public let liveWorkers: Int
        /// Each worker's health as `calib status` shows it, taken with `imagesDone`.
        public let workers: [WorkerReport]
    }

    private let options: Options
    private let logger: Logger
    private let context: ZMQContext
    private let socket: ZMQSocket
    private let metrics: MetricsServer?
    /// Progress over time, for the health page.
    private var throughput = ThroughputHistory()
    private let journal: ResultJournal?
    private let journalWriter: JournalWriter?
    private let zap: ZAPHandler?
    private var clock = Stopwatch()
    private let plan: ShardPlan
    private var session: CoordinatorSession
    /// What the journal held at the start (resumed shards), merged.
    private let resumedStatistics: CalibrationStatistics
    private let merging: MergePipeline
    private let images: ShardImageSource
    private var drainSeconds = 0.0
    /// Committed results waiting for their merge: then their place in flight is free (the
    /// journal keeps its own bounded queue).
    private var unsettled: [Int: WorkerID] = [:]
    /// Whether the log said already that the journal fell behind.
    private var toldJournalBehind = false
    /// Clock time the first shard went out, and the run's end.
    private var firstShardAt: Double?
    private var endedAt: Double?

    /// Images whose results the journal held at the start (a resumed run).
    public var imagesResumed: Int { resumedStatistics.imageIndices.count }

    /// What happened to each worker and when, for the report's timeline.
    public var timeline: [WorkerEvent] { session.timeline }

    /// What this node did so far.
    public var counters: ServeCounters {
        var counters = session.counters
        counters.mergeSeconds = merging.seconds
        counters.journalSeconds = journalWriter?.seconds ?? 0
        counters.resultsNotJournaled = journalWriter?.resultsNotWritten ?? 0
        counters.drainSeconds = drainSeconds
        if let firstShardAt, let endedAt { counters.servingSeconds = endedAt - firstShardAt }
        (counters.modelBytesSent, counters.peakModelBytesInFlight) = session.modelTransfer
        return counters
    }

    /// Binds the socket; `boundEndpoint` tells the port when the endpoint asked for `*`.
    public init(
        run: CalibrationPlan, dataset: some CalibrationImages, interpolation: Interpolation, channelOrder: ChannelOrder,
        reader: ImageReader, ignoredNames: [String], ignoredTypes: [String], options: Options, logger: Logger
    ) throws {
        self.options = options
        self.logger = logger
        var spec = JobSpec(
            jobID: "", modelDigest: run.modelDigest, interpolation: interpolation.rawValue,
            channelOrder: channelOrder.rawValue, reader: reader.rawValue, inputShape: run.input.shape,
            layout: run.input.layout.rawValue, ignoredNames: ignoredNames, ignoredTypes: ignoredTypes,
            tensorNames: run.quantization.activations.map(\.name), collection: run.collection)
        // The job is named by its key (model, images, options), so that two jobs on one
        // model tell apart in `calib status`, the metrics and the health page.
        let key = try Self.jobKey(spec: spec, shardSize: options.shardSize, dataset: dataset)
        spec.jobID = String(key.prefix(12))
        let plan = ShardPlan(imageCount: dataset.count, size: options.shardSize)
        self.plan = plan
        let empty = run.emptyStatistics()
        let check = ResultCheck(
            plan: plan, modelDigest: spec.modelDigest, tensorNames: spec.tensorNames, channelNames: empty.channelNames)
        var statistics = empty
        var resumed = Set<Int>()
        if let path = options.journalPath {
            let (journal, contents) = try Self.openJournal(path: path, jobKey: key, shardCount: plan.count, options: options, logger: logger)
            if let contents {
                if let damage = contents.damage { logger.warning("journal \(path): \(damage); the intact part is used") }
                for record in contents.records {
                    switch check.verify(record.payload, shard: record.shard) {
                    case let .success(result): try statistics.merge(result)
                    case let .failure(problem):
                        throw CoordinatorError.journal("journal \(path): the record of shard \(record.shard) is unusable: \(problem)")
                    }
                    resumed.insert(record.shard)
                }
                let images = resumed.reduce(0) { $0 + plan.shards[$1].count }
                logger.info(
                    "resumed from journal \(path): \(resumed.count) of \(plan.count) shards (\(images) images) already accepted")
            } else if options.resume {
                logger.info("no journal at \(path): starting from scratch")
            }
            self.journal = journal
            journalWriter = JournalWriter(journal: journal)
        } else {
            journal = nil
            journalWriter = nil
        }
        resumedStatistics = statistics
        merging = MergePipeline(lanes: ProcessInfo.processInfo.activeProcessorCount, check: check, empty: empty)
        images = ShardImageSource(plan: plan) { index in
            ShardImage(index: UInt32(index), name: try dataset.name(at: index), bytes: try dataset.bytes(at: index))
        }
        session = CoordinatorSession(
            settings: .init(
                spec: spec, plan: plan, heartbeatInterval: options.heartbeatInterval, missedHeartbeats: options.missedHeartbeats,
                malformedLimit: options.malformedLimit, idleTimeout: options.idleTimeout,
                instructionSet: options.instructionSet, allowMixedInstructionSets: options.allowMixedInstructionSets),
            model: (IRWriter.xml(of: run.graph), run.graph.weights), alreadyDone: resumed)
        do {
            let context = try ZMQContext()
            self.context = context
            socket = try ZMQSocket(context: context, kind: .router)
            try socket.setOption(.maxMessageSize, MessageLimits.coordinatorInbound.maxMessageBytes)
            try socket.setOption(.sendTimeout, 1000)
            // libzmq's default backlog of 100 drops the connections of a larger cluster
            // starting at once, and their TCP retries a second later: every worker past the
            // hundredth would start a second late.
            try socket.setOption(.backlog, Self.connectionBacklog)
            // The loop drains the socket: a receive with nothing queued returns at once.
            try socket.setOption(.receiveTimeout, 0)
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
        } catch {
            // A port in use (say) must not leave a journal without a result behind.
            if resumed.isEmpty { try? journal?.remove() }
            throw error
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
    /// - Throws: `CoordinatorError.shardFailed` when a shard failed too often, `.input`
    ///   when a worker found a shard's input unusable on any worker, `.noWorkers` when
    ///   `abandon` gave a reason or no worker was live for `options.idleTimeout` seconds, `.journal` when the journal cannot be written,
    ///   `.images` when a shard's image cannot be read.
    public func serve(progress: (Progress) -> Void = { _ in }, abandon: () -> String? = { nil }) throws -> CalibrationStatistics {
        do {
            return try serveUntilComplete(progress: progress, abandon: abandon)
        } catch {
            // What is queued for the journal is written, for a --resume; a journal that
            // holds no result is of no use to one.
            try? journalWriter?.finish()
            if resumedStatistics.imageIndices.isEmpty && session.counters.resultsAccepted == 0 {
                try? journal?.remove()
            }
            throw error
        }
    }

    /// TCP connections waiting to be accepted at most: the kernel's usual cap
    /// (`net.core.somaxconn`), room for thousands of workers connecting together.
    private static let connectionBacklog = 4096

    /// Most messages read in one turn before the clock is looked at again.
    private static let drainLimit = 4096

    private func serveUntilComplete(progress: (Progress) -> Void, abandon: () -> String?) throws -> CalibrationStatistics {
        clock = Stopwatch()
        var lastReported = -Double.infinity
        var (liveInHealth, imagesInHealth) = (0, 0)
        while true {
            try perform(session.tick(at: clock.seconds))
            if let reason = abandon() { session.abandon(because: reason, at: clock.seconds) }
            if let failure = journalWriter?.failure {
                throw CoordinatorError.journal(
                    "\(failure); the results accepted before are safe in the journal: fix this and run again with --resume")
            }
            switch session.outcome {
            case .complete?: return try finish(progress: progress)
            case let .failed(error)?: throw error
            case nil: break
            }
            let imagesDone = session.scheduler.imagesDone
            throughput.record(seconds: clock.seconds, imagesDone: UInt32(clamping: imagesDone))
            // Every second, and soon after workers come or go or images are merged (at most
            // ten times a second, so that a thousand workers joining do not cost a million
            // reports), with the workers' health taken then: the total and each worker's
            // images always agree.
            let sinceReported = clock.seconds - lastReported
            let changed = session.liveWorkerCount != liveInHealth || imagesDone != imagesInHealth
            if sinceReported >= 1 || (changed && sinceReported >= 0.1) {
                (lastReported, liveInHealth, imagesInHealth) = (clock.seconds, session.liveWorkerCount, imagesDone)
                let health = session.status(at: clock.seconds).workers
                progress(Progress(imagesDone: imagesDone, images: plan.imageCount, liveWorkers: session.liveWorkerCount, workers: health))
            }
            // While results are being verified, look back soon for their outcome.
            let wait = merging.held > 0 || !unsettled.isEmpty ? 5 : 100
            let readable = try ZMQPoller.poll([socket] + (metrics.map { [$0.socket] } ?? []), timeoutMilliseconds: wait)
            if readable.count > 1, readable[1] {
                try metrics?.serveReadable { resource in
                    let status = session.status(at: clock.seconds)
                    switch resource {
                    case .metrics: return PrometheusMetrics.render(status)
                    case .healthPage: return HealthPage.render(status, history: throughput)
                    }
                }
            }
            var drained = 0
            while drained < Self.drainLimit, let frames = try socket.receive() {
                drained += 1
                try perform(session.received(frames, at: clock.seconds))
            }
            for shard in merging.takeMerged().map(\.shard) {
                guard let worker = unsettled.removeValue(forKey: shard) else { continue }
                try perform(session.settled(shard: shard, from: worker, at: clock.seconds))
            }
            for verification in merging.takeVerified() {
                try perform(
                    session.verified(
                        shard: verification.shard, from: verification.worker, rejection: verification.rejection,
                        at: clock.seconds))
            }
        }
    }

    /// Waits for the merges and the journal, says goodbye, and returns the statistics.
    private func finish(progress: (Progress) -> Void) throws -> CalibrationStatistics {
        let drainStart = clock.seconds
        defer {
            endedAt = clock.seconds
            drainSeconds = clock.seconds - drainStart
        }
        let statistics = try merging.finish(adding: resumedStatistics)
        do {
            // Everything is merged: the output comes next, and the journal, kept only for a
            // resume, is removed once it is written, so the run does not wait for the disk.
            if let dropped = try journalWriter?.abandon(), dropped > 0 {
                logger.info("journal: \(dropped) results still queued for it were dropped: all results are merged")
            }
        } catch {
            throw CoordinatorError.journal(
                "\(error); the results accepted before are safe in the journal: fix this and run again with --resume")
        }
        progress(
            Progress(
                imagesDone: plan.imageCount, images: plan.imageCount, liveWorkers: session.liveWorkerCount,
                workers: session.status(at: clock.seconds).workers))
        for worker in session.liveWorkers { send(.bye, to: worker) }
        let counters = counters
        logger.info(
            "all \(plan.imageCount) images in: \(counters.imagesComputed) computed in this run, \(counters.resultsAccepted) results merged, \(counters.duplicateResults) duplicates dropped")
        return statistics
    }

    /// Carries out the session's actions.
    private func perform(_ actions: [CoordinatorAction]) throws {
        for action in actions {
            switch action {
            case let .send(message, worker):
                send(message, to: worker)
            case let .sendShard(shard, worker):
                let message: Shard
                do {
                    message = try images.shard(shard)
                } catch {
                    throw CoordinatorError.images("cannot read the images of shard \(shard): \(error)")
                }
                send(.shard(message), to: worker)
                if firstShardAt == nil { firstShardAt = clock.seconds }
                images.prefetch(session.scheduler.upcoming(8))
            case let .verify(shard, worker, statistics):
                merging.verify(shard: shard, from: worker, bytes: statistics)
            case let .commit(shard, worker, statistics):
                if journalWriter?.append(shard: shard, payload: statistics) == false, !toldJournalBehind {
                    toldJournalBehind = true
                    logger.warning(
                        "journal: the disk is behind by \(JournalWriter.defaultBudget >> 20) MiB of results; results beyond that are merged without a record (a --resume would compute them again)")
                }
                merging.commit(shard: shard, from: worker)
                unsettled[shard] = worker
            case let .discard(shard, worker):
                merging.discard(shard: shard, from: worker)
            case let .log(level, line):
                logger.log(level: level, "\(line)")
            }
        }
    }

    /// Workers in a session now.
    public var liveWorkerCount: Int { session.liveWorkerCount }

    /// The run as `calib status` sees it now: after `serve`, each worker's final share.
    public var clusterStatus: ClusterStatus { session.status(at: clock.seconds) }

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
    private static func jobKey(spec: JobSpec, shardSize: Int, dataset: some CalibrationImages) throws -> String {
        let images = try (0..<dataset.count).map { index in
            (name: try dataset.name(at: index), bytes: dataset.fileSize(at: index) ?? -1)
        }
        return JobKey(
            modelDigest: spec.modelDigest, tensorNames: spec.tensorNames, interpolation: spec.interpolation,
            channelOrder: spec.channelOrder, reader: spec.reader, inputShape: spec.inputShape, layout: spec.layout,
            collection: spec.collection, shardSize: shardSize, images: images
        ).hex
    }

    private func send(_ message: Message, to worker: WorkerID) {
        do {
            try socket.send([worker.bytes, MessageCodec.encode(message)])
        } catch {
            logger.warning("could not send to worker \(worker): \(error)")
        }
    }
}

