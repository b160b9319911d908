import Core
import Protocol
import Testing

/// The wire codec: round trips, every validation error, and fuzzing.
struct MessageCodecTests {
    static let digest = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

    /// One of every message case, with non-trivial contents.
    static let samples: [Message] = [
        .hello(Hello(calibVersion: "0.3.0", openVINOVersion: "2026.4.1", host: "wörker-β", pid: 4242, threads: -1)),
        .hello(Hello(calibVersion: "0.4.0", openVINOVersion: "2026.4.1", host: "h", pid: 1, threads: 2, instructionSet: "AVX512_CORE_AMX")),
        .refused(reason: "protocol version 2 is not 1"),
        .job(JobSpec(
            jobID: "run-7", modelDigest: digest, interpolation: "bicubic", channelOrder: "BGR", reader: "opencv",
            inputShape: [2, 1200, 1200, 3], layout: "NHWC",
            ignoredNames: ["head.0", "naïve/σ"], ignoredTypes: [], tensorNames: ["a", "", "backbone.layer3.5.relu"],
            instructionSet: "AVX2", collection: .extremes)),
        .modelFetch(ModelFetch(digest: digest, offset: 3 << 20, count: 1 << 20, received: 2 << 20)),
        .modelFetch(ModelFetch(digest: digest, offset: .max, count: 0, received: .max)),
        .modelChunk(ModelChunk(digest: digest, offset: 1 << 20, totalBytes: 80_000_000, xmlBytes: 120_000, data: (0..<300).map { UInt8($0 % 251) })),
        .modelChunk(ModelChunk(digest: digest, offset: 90_000_000, totalBytes: 80_000_000, xmlBytes: 0, data: [])),
        .ready(capacity: 3),
        .shard(Shard(id: 0xdead_beef, images: [
            ShardImage(index: 0, name: "000.jpg", bytes: [0xff, 0xd8, 0xff, 0xd9]),
            ShardImage(index: 17, name: "", bytes: []),
            ShardImage(index: .max, name: "ü.png", bytes: [0x89, 0x50, 0x4e, 0x47]),
        ])),
        .shard(Shard(id: 1, images: [])),
        .result(shardID: 12, statistics: [1, 2, 3, 0, 255]),
        .resultOffer(shardID: 12, bytes: 650_000),
        .resultGrant(shardID: 12),
        .resultDrop(shardID: .max),
        .shardReceived(shardID: 3),
        .shardFailed(shardID: 9, reason: "image 003.jpg: not a JPEG", kind: .input),
        .jobFailed(reason: "OpenVINO: Cannot create FooBar layer relu1 id:3"),
        .heartbeat(WorkerStatus(imagesDone: 40, currentShard: 7, residentBytes: 5_300_000_000, errors: 1)),
        .heartbeat(WorkerStatus(imagesDone: 0, currentShard: nil, residentBytes: 0, errors: 0)),
        .heartbeat(nil),
        .bye,
        .statusRequest,
        .reconnect,
        .status(ClusterStatus(
            jobID: "1a2b3c4d5e6f", imagesDone: 12, images: 500, shardsDone: 3, shards: 125, elapsedSeconds: 61.25,
            workers: [
                WorkerReport(
                    id: "00a1b2c3d4", host: "node-1", pid: 77, threads: 2, state: .working, currentShard: 4, imagesDone: 8,
                    imagesPerSecond: 0.31, lastHeartbeatAge: 0.4, residentBytes: 1 << 31, errors: 0),
                WorkerReport(
                    id: "00ffeeddcc", host: "nöde-2", pid: 78, threads: 1, state: .dead, currentShard: nil, imagesDone: 4,
                    imagesPerSecond: 0, lastHeartbeatAge: 3.5, residentBytes: 0, errors: 2),
            ])),
        .status(ClusterStatus(jobID: "", imagesDone: 0, images: 0, shardsDone: 0, shards: 0, elapsedSeconds: 0, workers: [])),
    ]

    /// `frame` with the little-endian `UInt32` at `offset` replaced.
    static func patched(_ frame: [UInt8], uint32 value: UInt32, at offset: Int) -> [UInt8] {
        var bytes = frame
        for index in 0..<4 { bytes[offset + index] = UInt8(truncatingIfNeeded: value >> (8 * index)) }
        return bytes
    }

    static func header(version: UInt16 = ProtocolVersion.current, type: UInt8) -> [UInt8] {
        Array("CALB".utf8) + [UInt8(version & 0xff), UInt8(version >> 8), type]
    }

    static func decodeError(_ bytes: [UInt8], limits: MessageLimits = .default) -> ProtocolError? {
        do {
            _ = try MessageCodec.decode(bytes, limits: limits)
            return nil
        } catch {
            return error
        }
    }

    @Test func everyCaseRoundTrips() throws {
        #expect(Set(Self.samples.map(\.type)) == Set(MessageType.allCases))
        for message in Self.samples {
            let frame = MessageCodec.encode(message)
            #expect(Array(frame[0..<4]) == Array("CALB".utf8))
            #expect(frame[6] == message.type.rawValue)
            #expect(try MessageCodec.decode(frame) == message)
            #expect(try MessageCodec.decode(frame, limits: .coordinatorInbound) == message)
        }
    }

    @Test func layoutIsLittleEndianAndPinned() throws {
        #expect(MessageCodec.encode(.bye) == Array("CALB".utf8) + [6, 0, 11])
        #expect(MessageCodec.encode(.ready(capacity: 0x0102_0304)) == Array("CALB".utf8) + [6, 0, 6, 4, 3, 2, 1])
        #expect(MessageCodec.encode(.heartbeat(nil)) == Array("CALB".utf8) + [6, 0, 10, 0])
        #expect(MessageCodec.encode(.jobFailed(reason: "x")) == Array("CALB".utf8) + [6, 0, 14, 1, 0, 0, 0, 0x78])
    }

    @Test func badMagicAndShortFrames() {
        #expect(Self.decodeError(Array("CALX".utf8) + [1, 0, 11]) == .badMagic(found: Array("CALX".utf8)))
        #expect(Self.decodeError([]) == .messageTooShort(length: 0, minimum: 7))
        #expect(Self.decodeError(Array("CALB".utf8) + [1, 0]) == .messageTooShort(length: 6, minimum: 7))
        #expect(ProtocolError.badMagic(found: [0x43, 0, 0xff, 0x10]).description.contains("0x43 0x00 0xff 0x10"))
    }

    @Test func everyTruncationIsRefused() {
        for message in Self.samples {
            let frame = MessageCodec.encode(message)
            for length in 0..<frame.count {
                let error = Self.decodeError(Array(frame[0..<length]))
                #expect(error != nil, "\(message.type) cut to \(length) of \(frame.count) bytes decoded")
                if length < 7 {
                    #expect(error == .messageTooShort(length: length, minimum: 7))
                }
            }
        }
        // The error names the field and its offset.
        let frame = MessageCodec.encode(.ready(capacity: 5))
        #expect(Self.decodeError(Array(frame.dropLast(2)))
            == .truncated(field: "ready.capacity", offset: 7, needed: 4, available: 2))
    }

    @Test func otherVersionIsUnsupportedButHelloAndRefusedDecode() throws {
        var frame = MessageCodec.encode(.ready(capacity: 1))
        frame[4] = 7
        #expect(Self.decodeError(frame) == .unsupportedVersion(found: 7))
        #expect(try MessageCodec.version(of: frame) == 7)
        #expect(ProtocolError.unsupportedVersion(found: 7).description.contains("version 7"))

        // A future worker's hello: the coordinator can still read its version...
        let future = Hello(protocolVersion: 0x0203, calibVersion: "9.0", openVINOVersion: "2030.1", host: "h", pid: 1, threads: 8)
        let helloFrame = MessageCodec.encode(.hello(future))
        #expect(helloFrame[4] == 0x03 && helloFrame[5] == 0x02)
        #expect(try MessageCodec.decode(helloFrame) == .hello(future))
        // ...also when that version appended fields to hello.
        #expect(try MessageCodec.decode(helloFrame + [1, 2, 3]) == .hello(future))
        // A hand-built hello of version 0.
        var writer = ByteWriter(bytes: Self.header(version: 0, type: 1))
        writer.write(UInt16(0))
        for text in ["old", "2024.0", "host"] { writer.write(text) }
        writer.write(Int32(7))
        writer.write(Int32(2))
        guard case let .hello(old) = try MessageCodec.decode(writer.bytes) else {
            Issue.record("not a hello")
            return
        }
        #expect(old.protocolVersion == 0 && old.calibVersion == "old" && old.threads == 2)

        // A refused from a coordinator of another version.
        var refused = MessageCodec.encode(.refused(reason: "speak version 1"))
        refused[4] = 9
        #expect(try MessageCodec.decode(refused) == .refused(reason: "speak version 1"))

        // The hello's own version must agree with the envelope's.
        var mismatched = MessageCodec.encode(.hello(future))
        mismatched[4] = 1
        mismatched[5] = 0
        #expect(Self.decodeError(mismatched) == .invalidValue(
            field: "hello.protocolVersion", offset: 7, reason: "is 515 but the envelope says 1"))
    }

    @Test func unknownTypes() {
        // 4 and 5 are retired (the whole model in one frame, before version 4).
        for type: UInt8 in [0, 4, 5, 22, 200, 255] {
            #expect(Self.decodeError(Self.header(type: type)) == .unknownType(type))
        }
    }

    @Test func oversizedLengthFieldsAreRefused() {
        // A string length above the string limit.
        let refused = MessageCodec.encode(.refused(reason: "x"))
        #expect(Self.decodeError(Self.patched(refused, uint32: 5000, at: 7))
            == .lengthOverLimit(field: "refused.reason", offset: 7, length: 5000, limit: 4096))
        // A string length within the limit but beyond the frame.
        #expect(Self.decodeError(Self.patched(refused, uint32: 2, at: 7))
            == .truncated(field: "refused.reason", offset: 7, needed: 2, available: 1))
        // A byte-array length of 4 GiB - 1.
        let result = MessageCodec.encode(.result(shardID: 1, statistics: [1, 2]))
        #expect(Self.decodeError(Self.patched(result, uint32: .max, at: 11))
            == .lengthOverLimit(field: "result.statistics", offset: 11, length: Int(UInt32.max), limit: 256 << 20))
        // A string over the limit is refused even when it is all there.
        let long = String(repeating: "a", count: 4097)
        #expect(Self.decodeError(MessageCodec.encode(.shardFailed(shardID: 0, reason: long, kind: .transient)))
            == .lengthOverLimit(field: "shardFailed.reason", offset: 11, length: 4097, limit: 4096))
        // A name count claiming more names than bytes left.
        let job = JobSpec(jobID: "j", modelDigest: Self.digest, interpolation: "bilinear", channelOrder: "RGB",
                          reader: "pillow", inputShape: [], layout: "", ignoredNames: [], ignoredTypes: [], tensorNames: [])
        let jobFrame = MessageCodec.encode(.job(job))
        let countOffset = 7 + 5 + 68 + 12 + 7 + 10 + 4 + 4
        #expect(Self.decodeError(Self.patched(jobFrame, uint32: 1000, at: countOffset))
            == .truncated(field: "job.ignoredNames", offset: countOffset, needed: 4000, available: 26))
        #expect(Self.decodeError(Self.patched(jobFrame, uint32: 70_000, at: countOffset))
            == .lengthOverLimit(field: "job.ignoredNames", offset: countOffset, length: 70_000, limit: 65_536))
        // The whole frame over the limit.
        let small = MessageLimits(maxMessageBytes: 10)
        #expect(Self.decodeError(MessageCodec.encode(.result(shardID: 1, statistics: [1, 2, 3])), limits: small)
            == .messageTooLarge(length: 18, limit: 10))
        #expect(MessageLimits.coordinatorInbound.maxMessageBytes == 256 << 20)
    }

    @Test func tooManyImages() {
        let images = (0..<5).map { ShardImage(index: UInt32($0), name: "\($0)", bytes: [1]) }
        let frame = MessageCodec.encode(.shard(Shard(id: 3, images: images)))
        var limits = MessageLimits.default
        limits.maxImagesPerShard = 4
        #expect(Self.decodeError(frame, limits: limits)
            == .lengthOverLimit(field: "shard.images", offset: 11, length: 5, limit: 4))
        limits.maxImagesPerShard = 5
        #expect(Self.decodeError(frame, limits: limits) == nil)
        // A count claiming more images than could fit in the bytes left.
        #expect(Self.decodeError(Self.patched(frame, uint32: 100, at: 11))
            == .truncated(field: "shard.images", offset: 11, needed: 1200, available: frame.count - 15))
    }

    @Test func trailingBytes() {
        for message in Self.samples {
            let frame = MessageCodec.encode(message)
            #expect(Self.decodeError(frame + [0]) == .trailingBytes(offset: frame.count, count: 1), "\(message.type)")
        }
    }

    @Test func badDigests() {
        for bad in [String(Self.digest.dropLast()), Self.digest.uppercased(), Self.digest + "0",
                    String(Self.digest.dropLast()) + "g", ""] {
            #expect(Self.decodeError(MessageCodec.encode(.modelFetch(ModelFetch(digest: bad, offset: 0, count: 1, received: 0))))
                == .invalidDigest(field: "modelFetch.digest", offset: 7))
            #expect(Self.decodeError(MessageCodec.encode(.modelChunk(ModelChunk(digest: bad, offset: 0, totalBytes: 0, xmlBytes: 0, data: []))))
                == .invalidDigest(field: "modelChunk.digest", offset: 7))
        }
        let job = JobSpec(jobID: "j", modelDigest: "sha", interpolation: "", channelOrder: "", reader: "",
                          inputShape: [], layout: "", ignoredNames: [], ignoredTypes: [], tensorNames: [])
        #expect(Self.decodeError(MessageCodec.encode(.job(job))) == .invalidDigest(field: "job.modelDigest", offset: 12))
    }

    @Test func invalidUTF8() {
        // "ab" then a lone continuation byte, written by hand.
        var writer = ByteWriter(bytes: Self.header(type: MessageType.shardFailed.rawValue))
        writer.write(UInt32(4))
        writer.write(lengthPrefixed: [0x61, 0x62, 0x80])
        #expect(Self.decodeError(writer.bytes) == .invalidUTF8(field: "shardFailed.reason", offset: 11))
        // An overlong encoding inside a job's name list.
        var job = ByteWriter(bytes: Self.header(type: MessageType.job.rawValue))
        for text in ["j", Self.digest, "bilinear", "RGB", "pillow"] { job.write(text) }
        job.write(UInt32(0))  // input shape
        job.write("")  // layout
        job.write(UInt32(0))
        job.write(UInt32(2))
        job.write("ok")
        job.write(lengthPrefixed: [0xc0, 0xaf])
        job.write(UInt32(0))
        #expect(Self.decodeError(job.bytes) == .invalidUTF8(field: "job.ignoredTypes[1]", offset: 131))
    }

    @Test func aShardFailureNamesAKnownKind() {
        var frame = MessageCodec.encode(.shardFailed(shardID: 3, reason: "x", kind: .input))
        // The last field: a length and "input"; "inpux" is no kind.
        frame[frame.count - 1] = UInt8(ascii: "x")
        #expect(Self.decodeError(frame) == .invalidValue(
            field: "shardFailed.kind", offset: frame.count - 9, reason: "'inpux' is not a shard failure kind (transient or input)"))
    }

    @Test func aJobNamesAKnownStatisticsCollection() {
        let job = JobSpec(
            jobID: "j", modelDigest: Self.digest, interpolation: "bilinear", channelOrder: "RGB", reader: "pillow",
            inputShape: [], layout: "", ignoredNames: [], ignoredTypes: [], tensorNames: [], collection: .extremes)
        var frame = MessageCodec.encode(.job(job))
        // The last field: a length and "extremes"; "extremer" is no collection.
        frame[frame.count - 1] = UInt8(ascii: "r")
        #expect(Self.decodeError(frame) == .invalidValue(
            field: "job.collection", offset: frame.count - 12, reason: "'extremer' is not a statistics collection (extremes or histograms)"))
    }

    @Test func inputShapesAreAtMostEightNonNegativeDimensions() {
        var job = JobSpec(
            jobID: "j", modelDigest: Self.digest, interpolation: "bilinear", channelOrder: "RGB", reader: "pillow",
            inputShape: [1, 3, 4, 4], layout: "NCHW", ignoredNames: [], ignoredTypes: [], tensorNames: [])
        var frame = MessageCodec.encode(.job(job))
        // The first dimension sits after the header, four strings (5 + 68 + 12 + 7 + 10) and the count.
        let first = 7 + 5 + 68 + 12 + 7 + 10 + 4
        for index in 0..<8 { frame[first + index] = 0xff }
        #expect(Self.decodeError(frame) == .invalidValue(field: "job.inputShape[0]", offset: first, reason: "is -1, not a dimension"))
        job.inputShape = Array(repeating: 1, count: 9)
        #expect(Self.decodeError(MessageCodec.encode(.job(job)))
            == .lengthOverLimit(field: "job.inputShape", offset: first - 4, length: 9, limit: 8))
    }

    @Test func presenceBytesAreZeroOrOne() {
        var frame = MessageCodec.encode(.heartbeat(nil))
        frame[7] = 2
        #expect(Self.decodeError(frame) == .invalidValue(
            field: "presence of heartbeat.status", offset: 7, reason: "is 2, expected 0 or 1"))
    }

    @Test func descriptionsAreOneLine() {
        let errors: [ProtocolError] = [
            .messageTooShort(length: 1, minimum: 7), .messageTooLarge(length: 9, limit: 8),
            .badMagic(found: [1, 2, 3, 4]), .unsupportedVersion(found: 3), .unknownType(99),
            .truncated(field: "f", offset: 1, needed: 2, available: 1),
            .lengthOverLimit(field: "f", offset: 1, length: 2, limit: 1), .invalidUTF8(field: "f", offset: 3),
            .invalidDigest(field: "f", offset: 3), .invalidValue(field: "f", offset: 3, reason: "is odd"),
            .trailingBytes(offset: 9, count: 2),
        ]
        for error in errors {
            #expect(!error.description.isEmpty && !error.description.contains("\n"))
        }
    }

    /// Random frames and mutations of valid frames never trap; when they decode at the
    /// current version, the encoding is canonical, so re-encoding gives the same bytes.
    @Test func fuzz() {
        var random = SeededGenerator(seed: 20_261_129, stream: "message-codec-fuzz")
        let frames = Self.samples.map(MessageCodec.encode)
        var decoded = 0

        func check(_ bytes: [UInt8]) {
            do {
                let message = try MessageCodec.decode(bytes, limits: .coordinatorInbound)
                decoded += 1
                if bytes[4] == UInt8(ProtocolVersion.current) && bytes[5] == 0 {
                    #expect(MessageCodec.encode(message) == bytes)
                }
            } catch {
                _ = error.description
            }
        }

        for round in 0..<3000 {
            let count = Int(random.next() % 64)
            var bytes = (0..<count).map { _ in UInt8(truncatingIfNeeded: random.next()) }
            if round % 2 == 0 && count >= 7 {
                // A valid envelope with a random type and payload.
                bytes.replaceSubrange(0..<7, with: Self.header(type: UInt8(random.next() % 13)))
            }
            check(bytes)
        }
        for round in 0..<4000 {
            var bytes = frames[Int(random.next() % UInt64(frames.count))]
            let edits = round % 3 == 0 ? 1 + Int(random.next() % 8) : 1
            for _ in 0..<edits {
                let position = Int(random.next() % UInt64(bytes.count))
                switch random.next() % 4 {
                case 0: bytes[position] = UInt8(truncatingIfNeeded: random.next())
                case 1: bytes[position] ^= 1 << UInt8(random.next() % 8)
                case 2: bytes.insert(UInt8(truncatingIfNeeded: random.next()), at: position)
                default: if bytes.count > 1 { bytes.remove(at: position) }
                }
            }
            check(bytes)
        }
        // Some mutations must still decode (e.g. changed integers), or the fuzz proves little.
        #expect(decoded > 100)
    }
}
