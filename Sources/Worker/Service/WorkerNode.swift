import Core
import Foundation
import Logging
import Protocol

/// A calibration worker process: connects to a coordinator, announces itself, receives
/// the job and (once, cached by digest) the model, then pulls shards one at a time and
/// returns their statistics. Inference runs on a background thread so heartbeats keep
/// flowing; when the coordinator goes silent the worker reconnects with backoff.
public final class WorkerNode: @unchecked Sendable {
    public struct Options: Sendable {
        public var endpoint: String
        public var threads: Int
        public var heartbeatInterval: Double
        public var missedHeartbeats: Int
        /// CURVE keys when the coordinator requires them.
        public var security: CurveClientKeys?
        /// Seconds without any message from the coordinator (reconnecting all the while)
        /// after which the worker gives up.
        public var idleTimeout: Double
        /// The process that started this worker (`calib run --workers`): when it is gone,
        /// killed before it could stop its workers, the worker stops too.
        public var parentPID: Int32?
        /// Where received models are kept; nil keeps them in memory only.
        public var cache: ModelCache?
        /// Raised by SIGTERM/SIGINT: the worker drains (no new shard, the current one
        /// finished or given back), says `bye` and returns. Nil: signals keep their defaults.
        public var stopRequest: StopRequest?
        /// Seconds a draining worker waits for its current shard (and the grant of its
        /// result) before it gives the shard back and leaves.
        public var drainTimeout: Double
        /// Rewritten on every heartbeat, for a container's health check; nil: none.
        public var livenessFile: LivenessFile?

        public init(
            endpoint: String, threads: Int = 0, heartbeatInterval: Double = 1, missedHeartbeats: Int = 3,
            security: CurveClientKeys? = nil, idleTimeout: Double = 600, parentPID: Int32? = nil, cache: ModelCache? = nil,
            stopRequest: StopRequest? = nil, drainTimeout: Double = 5, livenessFile: LivenessFile? = nil
        ) {
            self.stopRequest = stopRequest
            self.drainTimeout = drainTimeout
            self.livenessFile = livenessFile
            self.parentPID = parentPID
            self.cache = cache
            self.endpoint = endpoint
            self.idleTimeout = idleTimeout
            self.security = security
            self.threads = threads
            self.heartbeatInterval = heartbeatInterval
            self.missedHeartbeats = missedHeartbeats
        }
    }

    /// Why a worker stopped working for its coordinator.
    public enum Stop: Error, Sendable, CustomStringConvertible {
        /// The coordinator refused the session (version, key).
        case refused(String)
        /// The coordinator cannot be joined with this worker's security settings: it uses
        /// the other mechanism (CURVE on one side only), or it hung up in the handshake at
        /// every attempt (another server key).
        case cannotJoin(endpoint: String, explanation: String)
        /// This worker cannot serve the job (the model does not load or compile); the
        /// coordinator was told why.
        case cannotServe(String)
        /// No message came from the coordinator for the idle timeout.
        case coordinatorSilent(endpoint: String, seconds: Int)
        /// The process that started this worker is gone.
        case parentGone(Int32)
        /// The job names an image reader this worker does not have; guessing one would
        /// give other pixels than the coordinator's other workers.
        case unknownReader(String)

        public var description: String {
            switch self {
            case let .refused(reason): "the coordinator refused this worker: \(reason)"
            case let .cannotJoin(endpoint, explanation): "cannot join the coordinator at \(endpoint): \(explanation)"
            case let .cannotServe(reason): "this worker cannot serve the job: \(reason)"
            case let .coordinatorSilent(endpoint, seconds):
                "no message from the coordinator at \(endpoint) for \(seconds) s (--idle-timeout): giving up"
            case let .parentGone(pid):
                "the calib run that started this worker (pid \(pid)) is gone: stopping"
            case let .unknownReader(name):
                "the job asks for image reader '\(name)', which this worker does not have "
                    + "(it has \(ImageReader.allCases.map(\.rawValue).joined(separator: ", ")))"
            }
        }
    }

    private let options: Options
    private let logger: Logger
    private let runtime: OpenVINORuntime
    /// The cache whose compiled-model blobs OpenVINO uses, when it could be set up.
    private let compiledModelCache: ModelCache?
    private let context: ZMQContext
    private var socket: ZMQSocket?
    private var monitor: HandshakeMonitor?
    /// What the monitor saw of the current connection, to say why a coordinator is silent.
    private var diagnosis = ConnectionDiagnosis()
    /// Consecutive connection attempts that ended silent with the coordinator hanging up
    /// in the security handshake.
    private var handshakeHangUps = 0
    private var models = [String: IRGraph]()
    private var job: JobSpec?
    /// The model being received for the current job, if it was not cached.
    private var download: ModelDownload?
    /// The widest instruction set OpenVINO would use here.
    private let instructionSet = HostInstructionSet.detected
    /// The instruction set OpenVINO runs with, fixed by the first job prepared.
    private var runningInstructionSet: InstructionSet?
    /// Results offered to the coordinator and not yet granted or dropped, by shard.
    private var offered: [UInt32: [UInt8]] = [:]
    private var processor: ShardProcessor?
    private var imagesDone: UInt32 = 0
    /// Whether any message came from the coordinator yet.
    private var coordinatorAnswered = false
    private var errors: UInt32 = 0
    private var currentShard: UInt32?
    /// Shards finished on the inference thread, waiting for the network loop to report them.
    private let finished = Handover<ShardOutcome>()
    /// Jobs prepared (model read, checked, compiled) on a background thread.
    private let prepared = Handover<JobPreparation>()
    /// Counts connections and jobs, so a preparation for an abandoned job is dropped.
    private var generation = 0
    /// When (on the run's clock) a stop signal was first seen; nil while serving.
    private var drainingSince: Double?
    /// Whether the liveness file could not be written last time (logged once per failure run).
    private var livenessFailing = false
    /// The node's monotonic clock, seconds since it was made.
    private let clock = Stopwatch()
    /// When the current job came, and how long its model took to arrive (nil when it did
    /// not travel), for the start-up line of the log.
    private var jobStartedAt = 0.0
    private var downloadSeconds: Double?
    /// Whether the current job's model was in memory already (from an earlier job).
    private var modelInMemory = false

    public init(options: Options, logger: Logger) throws {
        self.options = options
        self.logger = logger
        var compiledModelCache = options.cache
        var runtime: OpenVINORuntime
        do {
            runtime = try OpenVINORuntime(compiledModelCache: options.cache?.compiledModels)
        } catch {
            // The cache saves time, nothing more: without it the worker still serves.
            logger.warning("compiled models are not cached: \(error)")
            runtime = try OpenVINORuntime()
            compiledModelCache = nil
        }
        self.runtime = runtime
        self.compiledModelCache = compiledModelCache
        context = try ZMQContext()
    }

    /// Serves the coordinator until it says goodbye, or until a stop signal has been
    /// drained (see `Options.stopRequest`). Throws `Stop` when refused, when the job
    /// cannot be served here, or when the coordinator stays silent for the idle timeout.
    public func run() throws {
        var backoff = 0.5
        var lastHeard = 0.0
        var lastAttempt = 0.0
        var lastSent = -Double.infinity
        try connect()
        while true {
            let now = clock.seconds
            if now - lastSent >= options.heartbeatInterval {
                send(.heartbeat(status))
                touchLivenessFile()
                lastSent = now
            }
            if drained(now: now) {
                sayGoodbye()
                return
            }
            if let parent = options.parentPID, getppid() != parent {
                throw Stop.parentGone(parent)
            }
            let silence = now - lastHeard
            guard silence < options.idleTimeout || currentShard != nil else {
                throw Stop.coordinatorSilent(endpoint: options.endpoint, seconds: Int(silence))
            }
            if silence > options.heartbeatInterval * Double(options.missedHeartbeats), currentShard == nil,
                now - lastAttempt > options.heartbeatInterval * Double(options.missedHeartbeats)
            {
                // A hang-up in every handshake of two attempts is no passing failure.
                handshakeHangUps = diagnosis.hungUpInHandshake ? handshakeHangUps + 1 : 0
                if handshakeHangUps >= 2 {
                    throw Stop.cannotJoin(endpoint: options.endpoint, explanation: diagnosis.explanation)
                }
                logger.warning(
                    coordinatorAnswered
                        ? "coordinator silent for \(Int(silence)) s; reconnecting in \(backoff) s"
                        : "no answer from a coordinator at \(options.endpoint) for \(Int(silence)) s (\(diagnosis.explanation(connectingTo: options.endpoint))); reconnecting in \(backoff) s")
                pause(backoff)
                backoff = min(backoff * 2, 8)
                // Stopped while waiting: the next turn says goodbye on the old connection.
                if options.stopRequest?.signal != nil { continue }
                try connect()
                lastAttempt = clock.seconds
                continue
            }
            diagnosis.record(try monitor?.events() ?? [])
            if let status = diagnosis.refusedWith {
                throw Stop.refused(
                    "CURVE authentication failed (ZAP status \(status)): this worker's public key "
                        + "\(options.security?.keyPair.publicKey ?? "") is not in the coordinator's authorized keys")
            }
            if diagnosis.isSecurityMismatch {
                throw Stop.cannotJoin(endpoint: options.endpoint, explanation: diagnosis.explanation)
            }
            if let done = finished.take() {
                report(done)
            }
            if let preparation = prepared.take() {
                try adopt(preparation)
            }
            guard let socket, try socket.poll(timeoutMilliseconds: 100), let frames = try socket.receive(), let frame = frames.last
            else { continue }
            lastHeard = clock.seconds
            coordinatorAnswered = true
            backoff = 0.5
            let message: Message
            do {
                message = try MessageCodec.decode(frame)
            } catch {
                errors += 1
                logger.warning("dropped a malformed message from the coordinator: \(error)")
                continue
            }
            if case .reconnect = message {
                logger.notice("the coordinator at \(options.endpoint) has no session with this worker (it was restarted?): reconnecting")
                try connect()
                lastAttempt = clock.seconds
                continue
            }
            if try handle(message) == false { return }
        }
    }

    /// Handles one message; false when the coordinator ended the session.
    private func handle(_ message: Message) throws -> Bool {
        switch message {
        case let .refused(reason):
            throw Stop.refused(reason)
        case let .job(spec):
            try applyInstructionSet(of: spec)
            job = spec
            jobStartedAt = clock.seconds
            downloadSeconds = nil
            modelInMemory = models[spec.modelDigest] != nil
            processor = nil
            download = nil
            generation += 1
            if let graph = models[spec.modelDigest] {
                prepare(spec) { graph }
            } else {
                let cache = options.cache
                prepare(spec) {
                    guard let (xml, weights) = cache?.load(digest: spec.modelDigest) else { throw JobPreparation.Failure.notCached }
                    return try Self.graph(xml: xml, weights: weights)
                }
            }
        case let .modelChunk(chunk):
            guard let spec = job, var transfer = download else { return true }
            // One owner of the model's buffer while it changes: with `download` still holding
            // it, every chunk would copy the whole model (80 MB at 1200x1200).
            download = nil
            do {
                for fetch in try transfer.receive(chunk) { send(fetch) }
            } catch {
                errors += 1
                logger.warning("\(error); fetching the model again")
                startDownload(spec)
                return true
            }
            download = transfer
            guard transfer.isComplete else { return true }
            download = nil
            downloadSeconds = clock.seconds - jobStartedAt
            let (cache, logger, received) = (options.cache, logger, transfer)
            prepare(spec) {
                guard received.matchesDigest, let (xml, weights) = received.parts else { throw JobPreparation.Failure.digestMismatch }
                let graph = try Self.graph(xml: Array(xml), weights: Array(weights))
                do {
                    try cache?.store(digest: spec.modelDigest, xml: Array(xml), weights: Array(weights))
                } catch {
                    logger.warning("the model could not be kept in the cache: \(error)")
                }
                return graph
            }
        case let .shard(shard):
            send(.shardReceived(shardID: shard.id))
            // A draining worker starts nothing; its goodbye gives the shard back.
            if drainingSince == nil { start(shard) }
        case let .resultGrant(id):
            if let statistics = offered.removeValue(forKey: id) { send(.result(shardID: id, statistics: statistics)) }
        case let .resultDrop(id):
            offered[id] = nil
        case .bye:
            logger.info("the coordinator finished the job; this worker computed \(imagesDone) image\(imagesDone == 1 ? "" : "s")")
            return false
        default:
            break
        }
        return true
    }

    /// Limits OpenVINO to the job's instruction set before anything is compiled; a job
    /// asking for another one than this process already runs with cannot be served.
    private func applyInstructionSet(of spec: JobSpec) throws {
        guard !spec.instructionSet.isEmpty else {
            runningInstructionSet = runningInstructionSet ?? instructionSet
            return
        }
        guard let limit = InstructionSet(rawValue: spec.instructionSet) else {
            try leave(because: "the job asks for instruction set '\(spec.instructionSet)', which this worker does not know")
        }
        let wanted = min(instructionSet, limit)
        if let running = runningInstructionSet {
            guard running == wanted else {
                try leave(
                    because: "this worker process already runs OpenVINO on instruction set \(running.rawValue); "
                        + "restart it to serve a job limited to \(limit.rawValue)")
            }
            return
        }
        if wanted < instructionSet {
            HostInstructionSet.limit(to: wanted)
            logger.info("OpenVINO limited to instruction set \(wanted.rawValue) (this CPU has \(instructionSet.rawValue))")
        }
        runningInstructionSet = wanted
    }

    /// The model in `xml` and `weights`, or why this worker cannot serve it.
    private static func graph(xml: [UInt8], weights: [UInt8]) throws -> IRGraph {
        do {
            return try IRReader.read(xml: xml, weights: weights)
        } catch {
            throw JobPreparation.Failure.cannotServe("the model received cannot be read: \(error)")
        }
    }

    /// Starts (again) fetching the job's model from the coordinator.
    private func startDownload(_ spec: JobSpec) {
        var transfer = ModelDownload(digest: spec.modelDigest)
        for fetch in transfer.start() { send(fetch) }
        download = transfer
    }

    /// Reads the model with `model` and compiles the job on a background thread, so that
    /// heartbeats keep flowing while OpenVINO compiles (seconds at 1200x1200); the loop
    /// takes the outcome up with `adopt`.
    private func prepare(_ spec: JobSpec, model: @escaping @Sendable () throws -> IRGraph) {
        let prepared = prepared
        let generation = generation
        let (runtime, threads, cache, logger) = (runtime, options.threads, compiledModelCache, logger)
        Thread.detachNewThread {
            let started = Stopwatch()
            do {
                let graph = try model()
                let readSeconds = started.seconds
                guard let reader = ImageReader(rawValue: spec.reader) else {
                    throw JobPreparation.Failure.cannotServe(Stop.unknownReader(spec.reader).description)
                }
                let input = try ImageInput(graph: graph, shape: spec.inputShape, layout: ImageInput.Layout(rawValue: spec.layout))
                let (processor, waited) = try Self.compiling(with: cache, logger: logger) {
                    try ShardProcessor(
                        graph: graph, modelDigest: spec.modelDigest, ignoredNames: spec.ignoredNames,
                        ignoredTypes: spec.ignoredTypes, expectedTensorNames: spec.tensorNames,
                        interpolation: Interpolation(rawValue: spec.interpolation) ?? .bilinear,
                        channelOrder: ChannelOrder(rawValue: spec.channelOrder) ?? .rgb, reader: reader, input: input,
                        runtime: runtime, threads: threads, collection: spec.collection)
                }
                prepared.put(
                    JobPreparation(
                        generation: generation, spec: spec, outcome: .success((graph, processor)), readSeconds: readSeconds,
                        compileSeconds: started.seconds - readSeconds - waited, cacheWaitSeconds: waited))
            } catch let failure as JobPreparation.Failure {
                prepared.put(JobPreparation(generation: generation, spec: spec, outcome: .failure(failure)))
            } catch {
                prepared.put(JobPreparation(generation: generation, spec: spec, outcome: .failure(.cannotServe("\(error)"))))
            }
        }
    }

    /// Runs `compile` with the compiled-model cache, when there is one, to this process:
    /// damaged blobs removed before, the blobs it wrote recorded after. Returns what
    /// `compile` returned and the seconds spent waiting for the cache.
    private static func compiling<T>(with cache: ModelCache?, logger: Logger, _ compile: () throws -> T) throws -> (T, waited: Double) {
        guard let cache else { return (try compile(), 0) }
        let waiting = Stopwatch()
        return try cache.withCompiledModelsLocked {
            let waited = waiting.seconds
            let removed = cache.removeDamagedCompiledModels()
            if removed > 0 {
                logger.warning("removed \(removed) damaged compiled model(s) from the cache; compiling again")
            }
            defer {
                do { try cache.recordCompiledModels() } catch { logger.warning("compiled models are not recorded in the cache: \(error)") }
            }
            return (try compile(), waited)
        }
    }

    /// Takes up a finished preparation of the current job: the worker is ready, asks for
    /// the model again (it did not match its digest), or leaves (it cannot serve the job).
    private func adopt(_ preparation: JobPreparation) throws {
        guard preparation.generation == generation else { return }
        let spec = preparation.spec
        switch preparation.outcome {
        case let .success((graph, processor)):
            models[spec.modelDigest] = graph
            self.processor = processor
            let received = downloadSeconds.map { String(format: "received in %.1f s, ", $0) }
                ?? (modelInMemory ? "kept in memory from an earlier job, " : "from the cache folder, ")
            let line =
                "job \(spec.jobID): model \(spec.modelDigest.prefix(12)) ready after \(String(format: "%.1f", clock.seconds - jobStartedAt)) s ("
                + received + String(format: "read in %.1f s, compiled in %.1f s", preparation.readSeconds, preparation.compileSeconds)
                + (preparation.cacheWaitSeconds >= 0.05
                    ? String(format: " after waiting %.1f s for another worker's compile", preparation.cacheWaitSeconds) : "")
                + "), \(spec.tensorNames.count) tensors, \(spec.collection.rawValue)"
            logger.info("\(line)")
            send(.ready(capacity: 1))
        case .failure(.notCached):
            logger.info("job \(spec.jobID): fetching model \(spec.modelDigest.prefix(12)) from the coordinator")
            startDownload(spec)
        case .failure(.digestMismatch):
            errors += 1
            logger.warning("the model received does not match its digest \(spec.modelDigest.prefix(12)); asking again")
            startDownload(spec)
        case let .failure(.cannotServe(reason)):
            try leave(because: reason)
        }
    }

    /// Sends `jobFailed` with `reason` as this worker's last message, gives it up to two
    /// seconds to leave (the socket lingers while the context terminates), and stops.
    private func leave(because reason: String) throws -> Never {
        monitor = nil
        if let socket {
            try? socket.setOption(.linger, 2000)
            send(.jobFailed(reason: reason))
            socket.close()
        }
        socket = nil
        throw Stop.cannotServe(reason)
    }

    private func start(_ shard: Shard) {
        guard let processor, currentShard == nil else { return }
        currentShard = shard.id
        let images = shard.images.map { (index: Int($0.index), name: $0.name, bytes: $0.bytes) }
        let finished = finished
        Thread.detachNewThread {
            do {
                let statistics = try processor.process(images)
                finished.put(.success(shard.id, statistics.encoded(), images.count))
            } catch let error as ImageFileError {
                // The coordinator sends every worker the same bytes: they fail everywhere.
                finished.put(.failure(shard.id, "\(error)", .input))
            } catch {
                finished.put(.failure(shard.id, "\(error)", .transient))
            }
        }
    }

    private func report(_ done: ShardOutcome) {
        currentShard = nil
        switch done {
        case let .success(id, statistics, count):
            imagesDone += UInt32(count)
            offered[id] = statistics
            send(.resultOffer(shardID: id, bytes: UInt64(statistics.count)))
        case let .failure(id, reason, kind):
            errors += 1
            logger.warning("shard \(id) failed: \(reason)")
            send(.shardFailed(shardID: id, reason: reason, kind: kind))
        }
        if drainingSince == nil { send(.ready(capacity: 1)) }
    }

    /// Whether a stop signal came and draining is over: nothing runs and no result waits
    /// for its grant, or the drain timeout has passed (the coordinator re-queues whatever
    /// this worker still held when it says goodbye).
    private func drained(now: Double) -> Bool {
        guard let signal = options.stopRequest?.signal else { return false }
        guard let since = drainingSince else {
            drainingSince = now
            let running = currentShard.map { "finishing shard \($0) (at most \(options.drainTimeout) s)" } ?? "no shard running"
            logger.notice("\(StopRequest.name(of: signal)): taking no more shards; \(running), then leaving")
            return currentShard == nil && offered.isEmpty
        }
        if currentShard == nil, offered.isEmpty { return true }
        if now - since >= options.drainTimeout {
            if let shard = currentShard {
                logger.warning("shard \(shard) not done after \(options.drainTimeout) s (--drain-timeout): giving it back")
            } else {
                logger.warning("result not granted after \(options.drainTimeout) s (--drain-timeout): leaving without it")
            }
            return true
        }
        return false
    }

    /// Sleeps `seconds`, or less when a stop signal comes meanwhile (a container's stop
    /// grace is shorter than the longest reconnection backoff plus the goodbye).
    private func pause(_ seconds: Double) {
        let clock = Stopwatch()
        while clock.seconds < seconds, options.stopRequest?.signal == nil {
            Thread.sleep(forTimeInterval: min(0.1, seconds - clock.seconds))
        }
    }

    /// Tells the coordinator this worker leaves (it re-queues what the worker held) and
    /// gives the message up to two seconds to go out.
    private func sayGoodbye() {
        monitor = nil
        if let socket {
            try? socket.setOption(.linger, 2000)
            send(.bye)
            socket.close()
        }
        socket = nil
        guard coordinatorAnswered else {
            return logger.notice("stopped before a coordinator at \(options.endpoint) ever answered")
        }
        logger.notice("said goodbye to the coordinator; this worker computed \(imagesDone) image\(imagesDone == 1 ? "" : "s")")
    }

    /// Rewrites the liveness file, if any; a failure is logged once until it works again.
    private func touchLivenessFile() {
        guard let file = options.livenessFile else { return }
        do {
            try file.touch("calib worker pid \(getpid()) images \(imagesDone) shard \(currentShard.map(String.init) ?? "-")")
            livenessFailing = false
        } catch {
            if !livenessFailing { logger.warning("liveness file not written: \(error)") }
            livenessFailing = true
        }
    }

    private var status: WorkerStatus {
        WorkerStatus(imagesDone: imagesDone, currentShard: currentShard, residentBytes: ResidentMemory.bytes, errors: errors)
    }

    private func connect() throws {
        socket?.close()
        monitor = nil
        let socket = try ZMQSocket(context: context, kind: .dealer)
        try socket.setOption(.sendTimeout, 1000)
        try options.security?.configure(socket)
        // Watched from before the connect so a refused key or a security mismatch is seen,
        // not retried silently, and silence is explained.
        monitor = try HandshakeMonitor(socket: socket)
        diagnosis = ConnectionDiagnosis()
        try socket.connect(options.endpoint)
        self.socket = socket
        job = nil
        processor = nil
        download = nil
        // A new session is a new worker to the coordinator: results of the old one are not wanted.
        offered = [:]
        generation += 1
        send(
            .hello(
                Hello(
                    protocolVersion: ProtocolVersion.current, calibVersion: CalibVersion.current,
                    openVINOVersion: OpenVINORuntime.version, host: ProcessInfo.processInfo.hostName,
                    pid: ProcessInfo.processInfo.processIdentifier, threads: Int32(options.threads),
                    instructionSet: instructionSet.rawValue)))
    }

    private func send(_ message: Message) {
        do {
            try socket?.send([MessageCodec.encode(message)])
        } catch {
            logger.warning("could not send to the coordinator: \(error)")
        }
    }
}

/// This process's resident memory, read from /proc (0 where unavailable).
enum ResidentMemory {
    static var bytes: UInt64 {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8),
            let pages = text.split(separator: " ").dropFirst().first.flatMap({ UInt64($0) })
        else { return 0 }
        return pages * UInt64(sysconf(Int32(_SC_PAGESIZE)))
    }
}
