import Core
import Foundation
import Protocol

/// Hundreds of protocol-speaking workers on one thread, for the coordinator benchmark.
/// Each is a real DEALER socket over TCP: it says hello, takes the job, fetches the model
/// chunk by chunk as a real worker does (counting the bytes, not keeping them) unless it
/// pretends to have it cached, asks for shards, holds each one for the simulated compute
/// time, offers precomputed statistics and sends them when granted. The coordinator is
/// measured under the load of many machines without running their inference.
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
        /// When the member last asked for a shard.
        var askedAt: ContinuousClock.Instant?
        var imagesDone: UInt32 = 0
        var finished = false
    }

    private let context: ZMQContext
    private var members: [Member] = []
    private let secondsPerImage: Double
    private let heartbeatInterval: Double
    private let results: [UInt32: [UInt8]]
    private let modelCached: Bool
    /// How late each result went out after its simulated compute time, seconds.
    private var lateness: [Double] = []
    /// How long each shard took to come after the member asked, seconds.
    private var waits: [Double] = []
    /// When each member got its first shard.
    private var firstShards: [ContinuousClock.Instant] = []
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
                            pid: getpid(), threads: 1, instructionSet: InstructionSet.avx2.rawValue)))
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
                    lateness.append((now - busy.due) / .seconds(1))
                    let size = UInt64(results[busy.shard]?.count ?? 0)
                    try members[index].socket.send([MessageCodec.encode(.resultOffer(shardID: busy.shard, bytes: size))])
                    try sendReady(member: index)
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
        let late = lateness.sorted()
        let waited = waits.sorted()
        if let worstLate = late.last, let worstWait = waited.last {
            print(String(format: "simulated workers:     results sent %.0f ms after they were due at the median, %.0f ms at worst (this process's own delay)", late[late.count / 2] * 1000, worstLate * 1000))
            print(String(format: "                       shards came %.0f ms after they were asked for at the median, %.0f ms at worst", waited[waited.count / 2] * 1000, worstWait * 1000))
        }
        if let first = firstShards.min(), let last = firstShards.max() {
            print(String(format: "                       the last member got its first shard %.0f ms after the first did", (last - first) / .seconds(1) * 1000))
        }
    }

    private func handle(_ message: Message, member index: Int) throws {
        switch message {
        case let .job(spec):
            if modelCached {
                try sendReady(member: index)
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
                try sendReady(member: index)
            }
        case let .resultGrant(id):
            try members[index].socket.send([MessageCodec.encode(.result(shardID: id, statistics: results[id] ?? []))])
        case let .shard(shard):
            try members[index].socket.send([MessageCodec.encode(.shardReceived(shardID: shard.id))])
            if members[index].imagesDone == 0 { firstShards.append(clock.now) }
            if let asked = members[index].askedAt { waits.append((clock.now - asked) / .seconds(1)) }
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
    /// Member `index` asks for one more shard.
    private func sendReady(member index: Int) throws {
        members[index].askedAt = clock.now
        try members[index].socket.send([MessageCodec.encode(.ready(capacity: 1))])
    }

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
