import Core
import Foundation
import Protocol

/// Hundreds of protocol-speaking workers on one thread, for the coordinator benchmark.
/// Each is a real DEALER socket over TCP: it says hello, takes the job (pretending the
/// model is cached), asks for shards, holds each one for the simulated compute time and
/// returns precomputed statistics. The coordinator is measured under the load of many
/// machines without running their inference.
final class SimulatedWorkers: @unchecked Sendable {
    private struct Member {
        let socket: ZMQSocket
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
    private let clock = ContinuousClock()
    private let stopLock = NSLock()
    private var stopRequested = false

    /// Ends `run` at its next turn (the coordinator is done; members it declared dead
    /// are never told goodbye).
    func stop() {
        stopLock.lock()
        stopRequested = true
        stopLock.unlock()
    }

    private var shouldStop: Bool {
        stopLock.lock()
        defer { stopLock.unlock() }
        return stopRequested
    }

    /// - Parameter results: the encoded statistics each shard id is answered with.
    init(count: Int, endpoint: String, secondsPerImage: Double, heartbeatInterval: Double, results: [UInt32: [UInt8]]) throws {
        context = try ZMQContext()
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

    /// Serves until every member has been told goodbye or `stop` is called; throws after
    /// `timeout` seconds.
    func run(timeout: Double) throws {
        let deadline = clock.now.advanced(by: .seconds(timeout))
        while members.contains(where: { !$0.finished }), !shouldStop {
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
        case .job:
            try members[index].socket.send([MessageCodec.encode(.ready(capacity: 1))])
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

/// Why the simulated workers could not finish.
struct SimulationError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
