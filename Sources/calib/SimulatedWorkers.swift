import Core
import Foundation
import Protocol

/// Hundreds of protocol-speaking workers on one thread, for the coordinator benchmark.
/// Each is a real DEALER socket over TCP: it says hello, takes the job, fetches the model
/// chunk by chunk as a real worker does (counting the bytes, not keeping them) unless it
/// pretends to have it cached, asks for shards, holds each one for the simulated compute
/// time and returns precomputed statistics. The coordinator is measured under the load of
/// many machines without running their inference.
final class SimulatedWorkers: @unchecked Sendable {
    /// A model download that counts bytes: the credit rule of ``ModelDownload`` without its buffer.
    private struct Download {
        var received = 0
        var nextOffset = 0
    }

    private struct Member {
        let socket: ZMQSocket
        var download: Download?
        var busy: (shard: UInt32, due: ContinuousClock.Instant)?
        var lastBeat: ContinuousClock.Instant
        var imagesDone: UInt32 = 0
        var finished = false
    }

    private let context: ZMQContext
    private var members: [Member] = []
    private let secondsPerImage: Double
    private let heartbeatInterval: Double
    private let results: [UInt32: [UInt8]]
    private let modelCached: Bool
    private let clock = ContinuousClock()
    /// - Parameters:
    ///   - results: the encoded statistics each shard id is answered with.
    ///   - modelCached: skip the model transfer, as workers that have the model cached do.
    init(
        count: Int, endpoint: String, secondsPerImage: Double, heartbeatInterval: Double, results: [UInt32: [UInt8]],
        modelCached: Bool
    ) throws {
        context = try ZMQContext(maxSockets: count + 16)
        self.modelCached = modelCached
        self.secondsPerImage = secondsPerImage
        self.heartbeatInterval = heartbeatInterval
        self.results = results
        for index in 0..<count {
            let socket = try ZMQSocket(context: context, kind: .dealer)
            try socket.setOption(.sendTimeout, 5000)
            try socket.connect(endpoint)
            try socket.send([
                MessageCodec.encode(
                    .hello(
                        Hello(
                            calibVersion: CalibVersion.current, openVINOVersion: "simulated", host: "sim-\(index)",
                            pid: getpid(), threads: 1)))
            ])
            members.append(Member(socket: socket, lastBeat: clock.now))
        }
    }

    /// Serves until every member has been told goodbye (members the coordinator declared
    /// dead never are: the benchmark ends the process); throws after `timeout` seconds.
    func run(timeout: Double) throws {
        let deadline = clock.now.advanced(by: .seconds(timeout))
        while members.contains(where: { !$0.finished }) {
            guard clock.now < deadline else {
                throw SimulationError("the simulated workers were not done after \(Int(timeout)) s")
            }
            let readable = try ZMQPoller.poll(members.map(\.socket), timeoutMilliseconds: 5)
            for index in members.indices where readable[index] {
                while try members[index].socket.poll(timeoutMilliseconds: 0), let frames = try members[index].socket.receive() {
                    guard let frame = frames.last else { continue }
                    try handle(try MessageCodec.decode(frame), member: index)
                }
            }
            let now = clock.now
            for index in members.indices where !members[index].finished {
                if let busy = members[index].busy, busy.due <= now {
                    try members[index].socket.send([MessageCodec.encode(.result(shardID: busy.shard, statistics: results[busy.shard] ?? []))])
                    try members[index].socket.send([MessageCodec.encode(.ready(capacity: 1))])
                    members[index].busy = nil
                }
                if now - members[index].lastBeat >= .seconds(heartbeatInterval) {
                    let status = WorkerStatus(
                        imagesDone: members[index].imagesDone, currentShard: members[index].busy?.shard, residentBytes: 0, errors: 0)
                    try members[index].socket.send([MessageCodec.encode(.heartbeat(status))])
                    members[index].lastBeat = now
                }
            }
        }
        for member in members { member.socket.close() }
    }

    private func handle(_ message: Message, member index: Int) throws {
        switch message {
        case let .job(spec):
            if modelCached {
                try members[index].socket.send([MessageCodec.encode(.ready(capacity: 1))])
            } else {
                members[index].download = Download()
                for _ in 0..<ModelTransferLimits.defaultCredit { try fetchNext(member: index, digest: spec.modelDigest) }
            }
        case let .modelChunk(chunk):
            // Every chunk with bytes is answered by one fetch: the next range or an acknowledgement.
            guard var download = members[index].download, !chunk.data.isEmpty else { break }
            download.received += chunk.data.count
            members[index].download = download
            if download.nextOffset < Int(chunk.totalBytes) {
                try fetchNext(member: index, digest: chunk.digest)
            } else {
                let acknowledgement = ModelFetch(
                    digest: chunk.digest, offset: chunk.totalBytes, count: 0, received: UInt64(download.received))
                try members[index].socket.send([MessageCodec.encode(.modelFetch(acknowledgement))])
            }
            if download.received == Int(chunk.totalBytes) {
                members[index].download = nil
                try members[index].socket.send([MessageCodec.encode(.ready(capacity: 1))])
            }
        case let .shard(shard):
            members[index].busy = (shard.id, clock.now.advanced(by: .seconds(secondsPerImage * Double(shard.images.count))))
            members[index].imagesDone += UInt32(shard.images.count)
        case .bye:
            members[index].finished = true
        case let .refused(reason):
            throw SimulationError("a simulated worker was refused: \(reason)")
        default:
            break
        }
    }
}

extension SimulatedWorkers {
    /// Asks for the next chunk of the model for member `index`.
    private func fetchNext(member index: Int, digest: String) throws {
        guard var download = members[index].download else { return }
        let fetch = ModelFetch(
            digest: digest, offset: UInt64(download.nextOffset), count: UInt32(ModelTransferLimits.defaultChunkBytes),
            received: UInt64(download.received))
        download.nextOffset += ModelTransferLimits.defaultChunkBytes
        members[index].download = download
        try members[index].socket.send([MessageCodec.encode(.modelFetch(fetch))])
    }
}

/// Why the simulated workers could not finish.
struct SimulationError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
