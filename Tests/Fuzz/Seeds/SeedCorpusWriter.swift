import Coordinator
import Core
import Foundation
import Protocol
import Worker

/// Writes the committed seed corpus of every fuzz target (`scripts/fuzz.sh seeds`) with
/// the project's own encoders, so the seeds are valid inputs of the current formats and
/// the fuzzer starts from every message type, a real statistics file, journal, IR and
/// image instead of having to discover the magics and layouts by itself.
@main
enum SeedCorpusWriter {
    static func main() throws {
        guard CommandLine.arguments.count == 2 else {
            fatalError("usage: \(CommandLine.arguments[0]) CORPUS_FOLDER")
        }
        let root = URL(fileURLWithPath: CommandLine.arguments[1])
        let statistics = tinyStatistics()
        try write(messages(statistics: statistics), into: root.appendingPathComponent("message"))
        try write(
            [
                "two-tensors.stats": statistics.encoded(),
                "no-tensors.stats": CalibrationStatistics(modelDigest: digest, tensorNames: []).encoded(),
            ], into: root.appendingPathComponent("statistics"))
        try write(journals(payload: statistics.encoded()), into: root.appendingPathComponent("journal"))
        try write(
            ["conv-relu-f32.ir": irInput(halfPrecision: false), "conv-relu-f16.ir": irInput(halfPrecision: true)],
            into: root.appendingPathComponent("ir"))
        try write(images(), into: root.appendingPathComponent("image"))
    }

    static let digest = String(repeating: "0123456789abcdef", count: 4)

    /// Two tensors of two images, one of them also with zeros, a NaN and an infinity, a
    /// tensor that saw no image, and the per-channel means of one tensor.
    static func tinyStatistics() -> CalibrationStatistics {
        var statistics = CalibrationStatistics(
            modelDigest: digest, tensorNames: ["conv", "relu", "unused"], channelNames: ["image/mean"])
        let images: [(Int, [Float])] = [(0, [-1.5, 0, 0.25, 3]), (3, [0, 0, Float.nan, 7.5e-3, 42, -Float.infinity])]
        for (image, values) in images {
            values.withUnsafeBufferPointer { statistics.record(tensor: 0, image: image, values: $0) }
            values.map { max($0, 0) }.withUnsafeBufferPointer { statistics.record(tensor: 1, image: image, values: $0) }
            [Float(image), 0.5, -2].withUnsafeBufferPointer { statistics.recordChannelFigures(0, image: image, values: $0) }
        }
        return statistics
    }

    /// One frame of every message type, and a `hello` of a later protocol version with
    /// an appended field.
    static func messages(statistics: CalibrationStatistics) -> [String: [UInt8]] {
        let hello = Hello(calibVersion: "0.1.0", openVINOVersion: "2026.4.1", host: "node-1", pid: 4242, threads: 2)
        var later = hello
        later.protocolVersion = ProtocolVersion.current + 1
        let job = JobSpec(
            jobID: "job-1", modelDigest: digest, interpolation: "bilinear", channelOrder: "rgb", reader: "pillow",
            inputShape: [1, 3, 300, 300], layout: "NCHW",
            ignoredNames: ["head"], ignoredTypes: ["Softmax", "TopK"], tensorNames: ["conv", "relu"])
        let shard = Shard(id: 7, images: [
            ShardImage(index: 0, name: "a.jpg", bytes: [0xFF, 0xD8, 0xFF, 0xE0]),
            ShardImage(index: 5, name: "b.png", bytes: [0x89, 0x50, 0x4E, 0x47]),
        ])
        let worker = WorkerReport(
            id: "00aa", host: "node-1", pid: 4242, threads: 2, state: .working, currentShard: 7, imagesDone: 10,
            imagesPerSecond: 0.5, lastHeartbeatAge: 1.25, residentBytes: 1 << 30, errors: 1)
        var idle = worker
        idle.state = .idle
        idle.currentShard = nil
        let status = ClusterStatus(
            jobID: "job-1", imagesDone: 10, images: 24, shardsDone: 5, shards: 12, elapsedSeconds: 12.5,
            workers: [worker, idle])
        let frames: [String: Message] = [
            "hello": .hello(hello),
            "refused": .refused(reason: "protocol version 2 is not supported"),
            "job": .job(job),
            "model-fetch": .modelFetch(ModelFetch(digest: digest, offset: 1 << 20, count: 1 << 20, received: 1 << 20)),
            "model-chunk": .modelChunk(ModelChunk(digest: digest, offset: 0, totalBytes: 10, xmlBytes: 6, data: Array("<net/>1234".utf8))),
            "ready": .ready(capacity: 2),
            "shard": .shard(shard),
            "result": .result(shardID: 7, statistics: statistics.encoded()),
            "result-offer": .resultOffer(shardID: 7, bytes: UInt64(statistics.encoded().count)),
            "result-grant": .resultGrant(shardID: 7),
            "result-drop": .resultDrop(shardID: 7),
            "shard-received": .shardReceived(shardID: 7),
            "shard-failed": .shardFailed(shardID: 7, reason: "corrupt JPEG 'a.jpg'", kind: .input),
            "heartbeat-idle": .heartbeat(nil),
            "heartbeat-working": .heartbeat(WorkerStatus(imagesDone: 3, currentShard: 7, residentBytes: 1 << 28, errors: 0)),
            "bye": .bye,
            "job-failed": .jobFailed(reason: "OpenVINO compile_model failed: unknown layer type FooBar"),
            "status-request": .statusRequest,
            "reconnect": .reconnect,
            "status": .status(status),
        ]
        var files = frames.mapValues(MessageCodec.encode)
        files["hello-later-version"] = MessageCodec.encode(.hello(later)) + [0x01, 0x02]
        return files
    }

    /// A journal with no record, one with two records, and one whose last record is torn.
    static func journals(payload: [UInt8]) -> [String: [UInt8]] {
        let header = JournalFormat.header(jobKey: String(repeating: "fe", count: 32), shardCount: 4)
        let records = JournalFormat.record(shard: 2, payload: payload) + JournalFormat.record(shard: 0, payload: [9, 8, 7])
        return [
            "empty.journal": header,
            "two-records.journal": header + records,
            "torn.journal": header + records + JournalFormat.record(shard: 1, payload: [1, 2, 3]).dropLast(5),
        ]
    }

    /// The `ir` target's input of a Parameter -> Convolution -> ReLU -> Result IR: the
    /// XML's length (`UInt32`, little-endian), the XML, the weights.
    static func irInput(halfPrecision: Bool) -> [UInt8] {
        var builder = GraphBuilder(name: "tiny", version: halfPrecision ? 10 : 11, halfPrecisionWeights: halfPrecision)
        let image = builder.parameter(name: "image", dims: [1, 3, 4, 4])
        let weights = builder.floatConstant(
            name: "conv.weight", dims: [2, 3, 3, 3], values: (0..<54).map { Float($0 % 7) * 0.125 - 0.375 })
        let convolved = builder.convolution(image, weights: weights, bias: nil, stride: 1, padding: 1, name: "conv")
        builder.result(builder.unary("Relu", convolved, name: "relu"), name: "output")
        let xml = IRWriter.xml(of: builder.graph)
        var writer = ByteWriter()
        writer.write(UInt32(xml.count))
        writer.write(raw: xml)
        writer.write(raw: builder.graph.weights)
        return writer.bytes
    }

    /// A small gradient as JPEG and PNG, and an odd-sized PNG.
    static func images() throws -> [String: [UInt8]] {
        func gradient(width: Int, height: Int) throws -> RGBImage {
            let pixels = (0..<width * height * 3).map { UInt8(truncatingIfNeeded: $0 * 37) }
            return try RGBImage(width: width, height: height, pixels: pixels)
        }
        let square = try gradient(width: 8, height: 8)
        return [
            "gradient.jpg": try JPEGCodec.encode(square, quality: 80),
            "gradient.png": try PNGCodec.encode(square),
            "odd.png": try PNGCodec.encode(try gradient(width: 3, height: 5)),
        ]
    }

    /// Replaces the files of `folder` with `files`.
    static func write(_ files: [String: [UInt8]], into folder: URL) throws {
        try? FileManager.default.removeItem(at: folder)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for (name, bytes) in files {
            try Data(bytes).write(to: folder.appendingPathComponent(name))
        }
    }
}
