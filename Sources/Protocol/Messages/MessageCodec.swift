import Core

/// Upper bounds ``MessageCodec/decode(_:limits:)`` enforces before it allocates anything,
/// so a peer cannot make the receiver reserve memory it did not send.
public struct MessageLimits: Sendable, Equatable {
    /// Largest whole frame, in bytes.
    public var maxMessageBytes: Int
    /// Longest string (UTF-8 bytes): names, versions, reasons, digests.
    public var maxStringBytes: Int
    /// Most entries in one name list of a `job` (ignored names, ignored types, tensors).
    public var maxNames: Int
    /// Most images in one `shard`.
    public var maxImagesPerShard: Int

    public init(maxMessageBytes: Int, maxStringBytes: Int = 4096, maxNames: Int = 65_536, maxImagesPerShard: Int = 4096) {
        self.maxMessageBytes = maxMessageBytes
        self.maxStringBytes = maxStringBytes
        self.maxNames = maxNames
        self.maxImagesPerShard = maxImagesPerShard
    }

    /// For what workers receive: up to 256 MiB, enough for a shard of large images (a
    /// model comes in chunks of at most ``ModelTransferLimits/maxChunkBytes``).
    public static let `default` = MessageLimits(maxMessageBytes: 256 << 20)
    /// For what the coordinator receives from workers: up to 256 MiB (a `result`'s statistics).
    public static let coordinatorInbound = MessageLimits(maxMessageBytes: 256 << 20)
}

/// Turns a ``Message`` into one ZeroMQ frame and back.
///
/// Frame: magic `CALB` (4 bytes), protocol version (`UInt16` little-endian), message type
/// (`UInt8`, ``MessageType``), then the payload written with `ByteWriter`: integers
/// little-endian at full width, strings and byte arrays behind a `UInt32` length, lists
/// behind a `UInt32` count, optionals behind a presence byte (0 or 1). Every message has
/// exactly one encoding.
///
/// The envelope (the first 7 bytes) never changes, and neither do the payloads of `hello`
/// and `refused`: those two decode whatever the envelope version, so a coordinator can read
/// the version of any worker's `hello` and answer with a `refused` the worker understands.
/// For those two, bytes after the frozen fields are ignored when the version is not
/// ``ProtocolVersion/current`` (a later version may append fields); every other message of
/// another version is ``ProtocolError/unsupportedVersion(found:)``.
public enum MessageCodec {
    /// The first 4 bytes of every frame.
    public static let magic: [UInt8] = Array("CALB".utf8)
    /// Magic, version and type.
    public static let headerSize = 7

    /// The frame for `message`. The envelope version is ``ProtocolVersion/current``,
    /// except for a `hello`, which carries its own `protocolVersion`.
    public static func encode(_ message: Message) -> [UInt8] {
        var writer = ByteWriter()
        writer.write(raw: magic)
        if case let .hello(hello) = message {
            writer.write(hello.protocolVersion)
        } else {
            writer.write(ProtocolVersion.current)
        }
        writer.write(message.type.rawValue)
        switch message {
        case let .hello(hello):
            writer.write(hello.protocolVersion)
            writer.write(hello.calibVersion)
            writer.write(hello.openVINOVersion)
            writer.write(hello.host)
            writer.write(hello.pid)
            writer.write(hello.threads)
            // Appended in version 4; older hellos keep their frozen layout.
            if hello.protocolVersion >= 4 { writer.write(hello.instructionSet) }
        case let .refused(reason):
            writer.write(reason)
        case let .job(job):
            writer.write(job.jobID)
            writer.write(job.modelDigest)
            writer.write(job.interpolation)
            writer.write(job.channelOrder)
            writer.write(job.reader)
            writer.write(UInt32(job.inputShape.count))
            for dimension in job.inputShape { writer.write(Int64(dimension)) }
            writer.write(job.layout)
            for list in [job.ignoredNames, job.ignoredTypes, job.tensorNames] {
                writer.write(UInt32(list.count))
                for name in list { writer.write(name) }
            }
            writer.write(job.instructionSet)
            writer.write(job.collection.rawValue)
        case let .modelFetch(fetch):
            writer.write(fetch.digest)
            writer.write(fetch.offset)
            writer.write(fetch.count)
            writer.write(fetch.received)
        case let .modelChunk(chunk):
            writer.write(chunk.digest)
            writer.write(chunk.offset)
            writer.write(chunk.totalBytes)
            writer.write(chunk.xmlBytes)
            writer.write(lengthPrefixed: chunk.data)
        case let .ready(capacity):
            writer.write(capacity)
        case let .shard(shard):
            writer.write(shard.id)
            writer.write(UInt32(shard.images.count))
            for image in shard.images {
                writer.write(image.index)
                writer.write(image.name)
                writer.write(lengthPrefixed: image.bytes)
            }
        case let .result(shardID, statistics):
            writer.write(shardID)
            writer.write(lengthPrefixed: statistics)
        case let .resultOffer(shardID, bytes):
            writer.write(shardID)
            writer.write(bytes)
        case let .resultGrant(shardID), let .resultDrop(shardID), let .shardReceived(shardID):
            writer.write(shardID)
        case let .shardFailed(shardID, reason, kind):
            writer.write(shardID)
            writer.write(reason)
            writer.write(kind.rawValue)
        case let .jobFailed(reason):
            writer.write(reason)
        case let .heartbeat(status):
            if let status {
                writer.write(UInt8(1))
                writer.write(status.imagesDone)
                if let shard = status.currentShard {
                    writer.write(UInt8(1))
                    writer.write(shard)
                } else {
                    writer.write(UInt8(0))
                }
                writer.write(status.residentBytes)
                writer.write(status.errors)
            } else {
                writer.write(UInt8(0))
            }
        case .bye, .statusRequest, .reconnect:
            break
        case let .status(status):
            writer.write(status.jobID)
            writer.write(status.imagesDone)
            writer.write(status.images)
            writer.write(status.shardsDone)
            writer.write(status.shards)
            writer.write(status.elapsedSeconds)
            writer.write(status.instructionSet)
            writer.write(UInt32(status.workers.count))
            for worker in status.workers {
                writer.write(worker.id)
                writer.write(worker.host)
                writer.write(worker.pid)
                writer.write(worker.threads)
                writer.write(worker.state.rawValue)
                if let shard = worker.currentShard {
                    writer.write(UInt8(1))
                    writer.write(shard)
                } else {
                    writer.write(UInt8(0))
                }
                writer.write(worker.imagesDone)
                writer.write(worker.imagesPerSecond)
                writer.write(worker.lastHeartbeatAge)
                writer.write(worker.residentBytes)
                writer.write(worker.errors)
                writer.write(worker.instructionSet)
            }
        }
        return writer.bytes
    }

    /// The envelope version of `bytes`, readable for every version; use it to log what a
    /// peer speaks when ``decode(_:limits:)`` says ``ProtocolError/unsupportedVersion(found:)``.
    public static func version(of bytes: [UInt8]) throws(ProtocolError) -> UInt16 {
        try checkEnvelope(bytes)
        return UInt16(bytes[4]) | UInt16(bytes[5]) << 8
    }

    /// The message in `bytes`, after checking the envelope, every length and count against
    /// both the bytes left and `limits`, UTF-8, digests, and that nothing follows the message.
    public static func decode(_ bytes: [UInt8], limits: MessageLimits = .default) throws(ProtocolError) -> Message {
        let version = try version(of: bytes)
        guard bytes.count <= limits.maxMessageBytes else {
            throw .messageTooLarge(length: bytes.count, limit: limits.maxMessageBytes)
        }
        let rawType = bytes[6]
        var reader = PayloadReader(bytes, limits: limits)
        if version != ProtocolVersion.current {
            // Frozen layouts: readable across versions, appended fields ignored.
            switch MessageType(rawValue: rawType) {
            case .hello: return .hello(try reader.hello(envelopeVersion: version))
            case .refused: return .refused(reason: try reader.string("refused.reason"))
            default: throw .unsupportedVersion(found: version)
            }
        }
        guard let type = MessageType(rawValue: rawType) else { throw .unknownType(rawType) }
        let message: Message
        switch type {
        case .hello:
            var hello = try reader.hello(envelopeVersion: version)
            hello.instructionSet = try reader.string("hello.instructionSet")
            message = .hello(hello)
        case .refused:
            message = .refused(reason: try reader.string("refused.reason"))
        case .job:
            let jobID = try reader.string("job.jobID")
            let digest = try reader.digest("job.modelDigest")
            let interpolation = try reader.string("job.interpolation")
            let channelOrder = try reader.string("job.channelOrder")
            let imageReader = try reader.string("job.reader")
            let inputShape = try reader.dimensions("job.inputShape")
            let layout = try reader.string("job.layout")
            let ignoredNames = try reader.names("job.ignoredNames")
            let ignoredTypes = try reader.names("job.ignoredTypes")
            let tensorNames = try reader.names("job.tensorNames")
            let instructionSet = try reader.string("job.instructionSet")
            let collection = try reader.named("job.collection", "a statistics collection", as: StatisticsCollection.self)
            message = .job(JobSpec(
                jobID: jobID, modelDigest: digest, interpolation: interpolation, channelOrder: channelOrder,
                reader: imageReader, inputShape: inputShape, layout: layout,
                ignoredNames: ignoredNames, ignoredTypes: ignoredTypes, tensorNames: tensorNames,
                instructionSet: instructionSet, collection: collection))
        case .modelFetch:
            let digest = try reader.digest("modelFetch.digest")
            let offset = try reader.integer(UInt64.self, "modelFetch.offset")
            let count = try reader.integer(UInt32.self, "modelFetch.count")
            let received = try reader.integer(UInt64.self, "modelFetch.received")
            message = .modelFetch(ModelFetch(digest: digest, offset: offset, count: count, received: received))
        case .modelChunk:
            let digest = try reader.digest("modelChunk.digest")
            let offset = try reader.integer(UInt64.self, "modelChunk.offset")
            let total = try reader.integer(UInt64.self, "modelChunk.totalBytes")
            let xmlBytes = try reader.integer(UInt64.self, "modelChunk.xmlBytes")
            let data = try reader.bytes("modelChunk.data")
            message = .modelChunk(ModelChunk(digest: digest, offset: offset, totalBytes: total, xmlBytes: xmlBytes, data: data))
        case .ready:
            message = .ready(capacity: try reader.integer(UInt32.self, "ready.capacity"))
        case .shard:
            let id = try reader.integer(UInt32.self, "shard.id")
            // Each image needs at least its index and two lengths.
            let count = try reader.count("shard.images", limit: limits.maxImagesPerShard, minimumElementBytes: 12)
            var images: [ShardImage] = []
            images.reserveCapacity(count)
            for position in 0..<count {
                let index = try reader.integer(UInt32.self, "shard.images[\(position)].index")
                let name = try reader.string("shard.images[\(position)].name")
                let data = try reader.bytes("shard.images[\(position)].bytes")
                images.append(ShardImage(index: index, name: name, bytes: data))
            }
            message = .shard(Shard(id: id, images: images))
        case .result:
            let shardID = try reader.integer(UInt32.self, "result.shardID")
            message = .result(shardID: shardID, statistics: try reader.bytes("result.statistics"))
        case .resultOffer:
            let shardID = try reader.integer(UInt32.self, "resultOffer.shardID")
            message = .resultOffer(shardID: shardID, bytes: try reader.integer(UInt64.self, "resultOffer.bytes"))
        case .resultGrant:
            message = .resultGrant(shardID: try reader.integer(UInt32.self, "resultGrant.shardID"))
        case .resultDrop:
            message = .resultDrop(shardID: try reader.integer(UInt32.self, "resultDrop.shardID"))
        case .shardReceived:
            message = .shardReceived(shardID: try reader.integer(UInt32.self, "shardReceived.shardID"))
        case .shardFailed:
            let shardID = try reader.integer(UInt32.self, "shardFailed.shardID")
            let reason = try reader.string("shardFailed.reason")
            message = .shardFailed(shardID: shardID, reason: reason, kind: try reader.named("shardFailed.kind", "a shard failure kind", as: ShardFailureKind.self))
        case .heartbeat:
            if try reader.flag("heartbeat.status") {
                let done = try reader.integer(UInt32.self, "heartbeat.status.imagesDone")
                let current: UInt32? =
                    if try reader.flag("heartbeat.status.currentShard") {
                        try reader.integer(UInt32.self, "heartbeat.status.currentShard")
                    } else { nil }
                let resident = try reader.integer(UInt64.self, "heartbeat.status.residentBytes")
                let errors = try reader.integer(UInt32.self, "heartbeat.status.errors")
                message = .heartbeat(WorkerStatus(
                    imagesDone: done, currentShard: current, residentBytes: resident, errors: errors))
            } else {
                message = .heartbeat(nil)
            }
        case .bye:
            message = .bye
        case .statusRequest:
            message = .statusRequest
        case .reconnect:
            message = .reconnect
        case .jobFailed:
            message = .jobFailed(reason: try reader.string("jobFailed.reason"))
        case .status:
            message = .status(try reader.clusterStatus())
        }
        try reader.requireEnd()
        return message
    }

    private static func checkEnvelope(_ bytes: [UInt8]) throws(ProtocolError) {
        guard bytes.count >= headerSize else {
            throw .messageTooShort(length: bytes.count, minimum: headerSize)
        }
        guard bytes[0..<4].elementsEqual(magic) else {
            throw .badMagic(found: Array(bytes[0..<4]))
        }
    }
}

/// Reads a payload with `ByteReader`, checking every length against the bytes left and
/// the limits before reading, and reporting failures as ``ProtocolError``.
private struct PayloadReader {
    private var reader: ByteReader
    private let total: Int
    private let limits: MessageLimits

    init(_ bytes: [UInt8], limits: MessageLimits) {
        reader = ByteReader(bytes)
        total = bytes.count
        self.limits = limits
        // The envelope has been checked already.
        _ = try? reader.read(raw: MessageCodec.headerSize, "header")
    }

    private var remaining: Int { total - reader.offset }

    mutating func integer<T: FixedWidthInteger>(_: T.Type, _ field: String) throws(ProtocolError) -> T {
        do {
            return try reader.read(T.self, field)
        } catch {
            throw Self.converted(error)
        }
    }

    mutating func flag(_ field: String) throws(ProtocolError) -> Bool {
        let offset = reader.offset
        switch try integer(UInt8.self, "presence of \(field)") {
        case 0: return false
        case 1: return true
        case let other:
            throw .invalidValue(field: "presence of \(field)", offset: offset, reason: "is \(other), expected 0 or 1")
        }
    }

    /// A `UInt32` length, checked against `limit` and the bytes left.
    private mutating func length(_ field: String, limit: Int, minimumElementBytes: Int) throws(ProtocolError) -> Int {
        let offset = reader.offset
        let length = Int(try integer(UInt32.self, "length of \(field)"))
        guard length <= limit else {
            throw .lengthOverLimit(field: field, offset: offset, length: length, limit: limit)
        }
        guard length * minimumElementBytes <= remaining else {
            throw .truncated(field: field, offset: offset, needed: length * minimumElementBytes, available: remaining)
        }
        return length
    }

    mutating func count(_ field: String, limit: Int, minimumElementBytes: Int) throws(ProtocolError) -> Int {
        try length(field, limit: limit, minimumElementBytes: minimumElementBytes)
    }

    mutating func bytes(_ field: String) throws(ProtocolError) -> [UInt8] {
        try raw(length(field, limit: limits.maxMessageBytes, minimumElementBytes: 1), field)
    }

    mutating func string(_ field: String) throws(ProtocolError) -> String {
        let offset = reader.offset
        let utf8 = try raw(length(field, limit: limits.maxStringBytes, minimumElementBytes: 1), field)
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw .invalidUTF8(field: field, offset: offset)
        }
        return string
    }

    /// A string naming one case of `Value`; `kind` names the enumeration in the error
    /// ("a statistics collection"), which lists the cases.
    mutating func named<Value: RawRepresentable & CaseIterable>(
        _ field: String, _ kind: String, as type: Value.Type
    ) throws(ProtocolError) -> Value where Value.RawValue == String {
        let offset = reader.offset
        let name = try string(field)
        guard let value = Value(rawValue: name) else {
            let known = Value.allCases.map(\.rawValue).joined(separator: " or ")
            throw .invalidValue(field: field, offset: offset, reason: "'\(name)' is not \(kind) (\(known))")
        }
        return value
    }

    mutating func digest(_ field: String) throws(ProtocolError) -> String {
        let offset = reader.offset
        let digest = try string(field)
        let isHex = digest.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x66).contains($0) }
        guard digest.utf8.count == 64, isHex else {
            throw .invalidDigest(field: field, offset: offset)
        }
        return digest
    }

    /// A tensor shape: a count (at most 8) and that many `Int64` dimensions, each 0 or more.
    mutating func dimensions(_ field: String) throws(ProtocolError) -> [Int] {
        let count = try count(field, limit: 8, minimumElementBytes: 8)
        var dimensions: [Int] = []
        for index in 0..<count {
            let offset = reader.offset
            let value = try integer(Int64.self, "\(field)[\(index)]")
            guard value >= 0, let dimension = Int(exactly: value) else {
                throw .invalidValue(field: "\(field)[\(index)]", offset: offset, reason: "is \(value), not a dimension")
            }
            dimensions.append(dimension)
        }
        return dimensions
    }

    mutating func names(_ field: String) throws(ProtocolError) -> [String] {
        // Each name needs at least its length.
        let count = try count(field, limit: limits.maxNames, minimumElementBytes: 4)
        var names: [String] = []
        names.reserveCapacity(count)
        for index in 0..<count {
            names.append(try string("\(field)[\(index)]"))
        }
        return names
    }

    mutating func double(_ field: String) throws(ProtocolError) -> Double {
        do {
            return try reader.readDouble(field)
        } catch {
            throw Self.converted(error)
        }
    }

    mutating func clusterStatus() throws(ProtocolError) -> ClusterStatus {
        let jobID = try string("status.jobID")
        let imagesDone = try integer(UInt32.self, "status.imagesDone")
        let images = try integer(UInt32.self, "status.images")
        let shardsDone = try integer(UInt32.self, "status.shardsDone")
        let shards = try integer(UInt32.self, "status.shards")
        let elapsed = try double("status.elapsedSeconds")
        let instructionSet = try string("status.instructionSet")
        // Each worker needs at least its fixed-width fields and string lengths.
        let count = try count("status.workers", limit: limits.maxNames, minimumElementBytes: 57)
        var workers: [WorkerReport] = []
        workers.reserveCapacity(count)
        for index in 0..<count {
            let field = "status.workers[\(index)]"
            let id = try string("\(field).id")
            let host = try string("\(field).host")
            let pid = try integer(Int32.self, "\(field).pid")
            let threads = try integer(Int32.self, "\(field).threads")
            let stateOffset = reader.offset
            let stateName = try string("\(field).state")
            guard let state = WorkerReport.State(rawValue: stateName) else {
                throw .invalidValue(field: "\(field).state", offset: stateOffset, reason: "'\(stateName)' is not a worker state")
            }
            let shard: UInt32? =
                if try flag("\(field).currentShard") { try integer(UInt32.self, "\(field).currentShard") } else { nil }
            let done = try integer(UInt32.self, "\(field).imagesDone")
            let rate = try double("\(field).imagesPerSecond")
            let age = try double("\(field).lastHeartbeatAge")
            let resident = try integer(UInt64.self, "\(field).residentBytes")
            let errors = try integer(UInt32.self, "\(field).errors")
            let instructionSet = try string("\(field).instructionSet")
            workers.append(WorkerReport(
                id: id, host: host, pid: pid, threads: threads, state: state, currentShard: shard, imagesDone: done,
                imagesPerSecond: rate, lastHeartbeatAge: age, residentBytes: resident, errors: errors,
                instructionSet: instructionSet))
        }
        return ClusterStatus(
            jobID: jobID, imagesDone: imagesDone, images: images, shardsDone: shardsDone, shards: shards,
            elapsedSeconds: elapsed, workers: workers, instructionSet: instructionSet)
    }

    /// The frozen `hello` layout; its version must agree with the envelope's.
    mutating func hello(envelopeVersion: UInt16) throws(ProtocolError) -> Hello {
        let offset = reader.offset
        let version = try integer(UInt16.self, "hello.protocolVersion")
        guard version == envelopeVersion else {
            throw .invalidValue(
                field: "hello.protocolVersion", offset: offset,
                reason: "is \(version) but the envelope says \(envelopeVersion)")
        }
        let calib = try string("hello.calibVersion")
        let openVINO = try string("hello.openVINOVersion")
        let host = try string("hello.host")
        let pid = try integer(Int32.self, "hello.pid")
        let threads = try integer(Int32.self, "hello.threads")
        return Hello(
            protocolVersion: version, calibVersion: calib, openVINOVersion: openVINO,
            host: host, pid: pid, threads: threads)
    }

    func requireEnd() throws(ProtocolError) {
        guard remaining == 0 else { throw .trailingBytes(offset: reader.offset, count: remaining) }
    }

    private mutating func raw(_ count: Int, _ field: String) throws(ProtocolError) -> [UInt8] {
        do {
            return try reader.read(raw: count, field)
        } catch {
            throw Self.converted(error)
        }
    }

    private static func converted(_ error: any Error) -> ProtocolError {
        switch error as? BinaryCodingError {
        case let .truncated(field, offset, needed, available)?:
            .truncated(field: field, offset: offset, needed: needed, available: available)
        case let .invalid(field, offset, reason)?:
            .invalidValue(field: field, offset: offset, reason: reason)
        case nil:
            .invalidValue(field: "payload", offset: 0, reason: "could not be read: \(error)")
        }
    }
}
