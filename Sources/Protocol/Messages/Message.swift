import Core
/// One message of the calibration protocol between the coordinator (ZeroMQ ROUTER)
/// and a worker (ZeroMQ DEALER). Pure values: ``MessageCodec`` turns them into one
/// frame each and back. `docs/PROTOCOL.md` describes when each is sent.
public enum Message: Sendable, Equatable {
    /// Worker → coordinator, first message of a session: who the worker is.
    case hello(Hello)
    /// Coordinator → worker: the session is refused (version mismatch, unknown key, ...);
    /// the worker prints `reason` and stops.
    case refused(reason: String)
    /// Coordinator → worker: what to calibrate; the model is identified by its digest only.
    case job(JobSpec)
    /// Worker → coordinator: send a range of the model's bytes (the worker has no copy
    /// with the job's digest), and how much of it arrived so far.
    case modelFetch(ModelFetch)
    /// Coordinator → worker: a range of the model's bytes, the answer to one `modelFetch`.
    case modelChunk(ModelChunk)
    /// Worker → coordinator: send up to `capacity` more shards.
    case ready(capacity: UInt32)
    /// Coordinator → worker: images to run.
    case shard(Shard)
    /// Worker → coordinator: the shard arrived; the coordinator keeps only a few shards
    /// on their way at once.
    case shardReceived(shardID: UInt32)
    /// Worker → coordinator: the result of a shard is ready, `bytes` long; the worker
    /// sends it once granted.
    case resultOffer(shardID: UInt32, bytes: UInt64)
    /// Coordinator → worker: send the result of the shard now.
    case resultGrant(shardID: UInt32)
    /// Coordinator → worker: the result of the shard is not needed (another copy was
    /// taken, or the shard is not this worker's); forget it.
    case resultDrop(shardID: UInt32)
    /// Worker → coordinator, after a `resultGrant`: the encoded `CalibrationStatistics`
    /// of the shard's images.
    case result(shardID: UInt32, statistics: [UInt8])
    /// Worker → coordinator: the shard could not be processed; `kind` says whether another
    /// worker could do better (an inference error) or not (an image that does not decode).
    case shardFailed(shardID: UInt32, reason: String, kind: ShardFailureKind)
    /// Both ways: liveness. Workers send their status; the coordinator sends `nil`.
    case heartbeat(WorkerStatus?)
    /// Either way: the sender is leaving the session.
    case bye
    /// Any peer → coordinator, no `hello` needed: send the run's status.
    case statusRequest
    /// Coordinator → the peer that sent `statusRequest`.
    case status(ClusterStatus)
    /// Worker → coordinator, its last message: it cannot serve this job at all (the model
    /// does not compile, memory runs out) and leaves; `reason` is the error it met.
    case jobFailed(reason: String)
    /// Coordinator → worker: this coordinator has no session with the sender (it was
    /// restarted, say, and the worker's socket reconnected by itself); the worker starts a
    /// new session, with `hello`, at once.
    case reconnect

    /// The type code of this message in the frame envelope.
    public var type: MessageType {
        switch self {
        case .hello: .hello
        case .refused: .refused
        case .job: .job
        case .modelFetch: .modelFetch
        case .modelChunk: .modelChunk
        case .ready: .ready
        case .shard: .shard
        case .shardReceived: .shardReceived
        case .result: .result
        case .resultOffer: .resultOffer
        case .resultGrant: .resultGrant
        case .resultDrop: .resultDrop
        case .shardFailed: .shardFailed
        case .heartbeat: .heartbeat
        case .bye: .bye
        case .statusRequest: .statusRequest
        case .status: .status
        case .jobFailed: .jobFailed
        case .reconnect: .reconnect
        }
    }
}

/// The type byte of a frame. Codes are never reused; `hello` (1) and `refused` (2) are
/// frozen across protocol versions. Codes 4 (`modelRequest`) and 5 (`model`, the whole
/// model in one frame) were retired in version 4.
public enum MessageType: UInt8, Sendable, CaseIterable, CustomStringConvertible {
    case hello = 1
    case refused = 2
    case job = 3
    case ready = 6
    case shard = 7
    case result = 8
    case shardFailed = 9
    case heartbeat = 10
    case bye = 11
    case statusRequest = 12
    case status = 13
    case jobFailed = 14
    case modelFetch = 15
    case modelChunk = 16
    case resultOffer = 17
    case resultGrant = 18
    case resultDrop = 19
    case shardReceived = 20
    case reconnect = 21

    public var description: String {
        switch self {
        case .hello: "hello"
        case .refused: "refused"
        case .job: "job"
        case .modelFetch: "modelFetch"
        case .modelChunk: "modelChunk"
        case .resultOffer: "resultOffer"
        case .resultGrant: "resultGrant"
        case .resultDrop: "resultDrop"
        case .shardReceived: "shardReceived"
        case .ready: "ready"
        case .shard: "shard"
        case .result: "result"
        case .shardFailed: "shardFailed"
        case .heartbeat: "heartbeat"
        case .bye: "bye"
        case .statusRequest: "statusRequest"
        case .status: "status"
        case .jobFailed: "jobFailed"
        case .reconnect: "reconnect"
        }
    }
}

/// A worker's introduction. Its wire layout is frozen for all protocol versions, so a
/// coordinator can read the version of any worker and refuse it with a clear reason.
public struct Hello: Sendable, Equatable {
    /// The protocol version the worker speaks; also written as the frame's envelope version.
    public var protocolVersion: UInt16
    /// The worker's calib version string.
    public var calibVersion: String
    /// The OpenVINO runtime version the worker links.
    public var openVINOVersion: String
    /// The worker's host name.
    public var host: String
    /// The worker's process id.
    public var pid: Int32
    /// The inference threads the worker uses.
    public var threads: Int32
    /// The widest instruction set the worker's OpenVINO would use (``InstructionSet``
    /// raw value); appended in version 4, empty from older workers.
    public var instructionSet: String

    public init(
        protocolVersion: UInt16 = ProtocolVersion.current, calibVersion: String, openVINOVersion: String,
        host: String, pid: Int32, threads: Int32, instructionSet: String = ""
    ) {
        self.instructionSet = instructionSet
        self.protocolVersion = protocolVersion
        self.calibVersion = calibVersion
        self.openVINOVersion = openVINOVersion
        self.host = host
        self.pid = pid
        self.threads = threads
    }
}

/// What a worker needs to know to calibrate, apart from the model bytes and images.
public struct JobSpec: Sendable, Equatable {
    /// The coordinator's identifier of this run.
    public var jobID: String
    /// SHA-256 of the model (64 lowercase hex digits); the worker asks for the model
    /// with `modelRequest` when it has no copy with this digest.
    public var modelDigest: String
    /// Resize interpolation, e.g. `bilinear` or `bicubic`.
    public var interpolation: String
    /// Channel order of the model input, e.g. `RGB` or `BGR`.
    public var channelOrder: String
    /// The image reader whose pixels the worker reproduces: `pillow` or `opencv`.
    public var reader: String
    /// The static shape the model's input is fed with (4 dimensions, in its layout).
    public var inputShape: [Int]
    /// The layout of that shape: `NCHW` or `NHWC`.
    public var layout: String
    /// Layer names excluded from quantization.
    public var ignoredNames: [String]
    /// Layer types excluded from quantization.
    public var ignoredTypes: [String]
    /// The tensors whose statistics the worker collects.
    public var tensorNames: [String]
    /// The instruction set the worker MUST limit OpenVINO to (``InstructionSet`` raw
    /// value), so every worker computes the same bits; empty for no limit.
    public var instructionSet: String
    /// What the worker takes from each tensor: its extremes, reduced in the graph, or the
    /// whole tensor for histograms.
    public var collection: StatisticsCollection

    public init(
        jobID: String, modelDigest: String, interpolation: String, channelOrder: String, reader: String,
        inputShape: [Int], layout: String, ignoredNames: [String], ignoredTypes: [String], tensorNames: [String],
        instructionSet: String = "", collection: StatisticsCollection = .histograms
    ) {
        self.instructionSet = instructionSet
        self.collection = collection
        self.inputShape = inputShape
        self.layout = layout
        self.jobID = jobID
        self.modelDigest = modelDigest
        self.interpolation = interpolation
        self.channelOrder = channelOrder
        self.reader = reader
        self.ignoredNames = ignoredNames
        self.ignoredTypes = ignoredTypes
        self.tensorNames = tensorNames
    }
}

/// A batch of calibration images handed to one worker.
public struct Shard: Sendable, Equatable {
    /// The coordinator's shard number, echoed in `result` / `shardFailed`.
    public var id: UInt32
    /// The images, as encoded files (JPEG or PNG).
    public var images: [ShardImage]

    public init(id: UInt32, images: [ShardImage]) {
        self.id = id
        self.images = images
    }
}

/// One calibration image inside a shard.
public struct ShardImage: Sendable, Equatable {
    /// The image's index in the calibration list (statistics are keyed by it).
    public var index: UInt32
    /// The image's file name, for error messages.
    public var name: String
    /// The encoded file.
    public var bytes: [UInt8]

    public init(index: UInt32, name: String, bytes: [UInt8]) {
        self.index = index
        self.name = name
        self.bytes = bytes
    }
}

/// A worker's progress, sent with every heartbeat.
public struct WorkerStatus: Sendable, Equatable {
    /// Images processed since the session began.
    public var imagesDone: UInt32
    /// The shard being processed, if any.
    public var currentShard: UInt32?
    /// The worker's resident memory in bytes.
    public var residentBytes: UInt64
    /// Failures (failed shards) since the session began.
    public var errors: UInt32

    public init(imagesDone: UInt32, currentShard: UInt32?, residentBytes: UInt64, errors: UInt32) {
        self.imagesDone = imagesDone
        self.currentShard = currentShard
        self.residentBytes = residentBytes
        self.errors = errors
    }
}
