import Core
import Foundation
import Protocol
import Testing
import Worker

/// The distributed runtime with real processes over real TCP on loopback.
@Suite(.serialized) struct DistributedRunTests {
    let folder: URL
    let model: String
    let images: String

    init() throws {
        folder = try CalibProcess.scratchFolder()
        model = folder.appendingPathComponent("ssd300.xml").path
        images = folder.appendingPathComponent("images").path
        try IRFiles.write(SSDResNet34(resolution: 300).makeGraph(), xmlPath: model)
        _ = try ExampleImageWriter(directory: URL(fileURLWithPath: images)).write(count: 3)
    }

    private func output(_ name: String) -> String { folder.appendingPathComponent(name).path }

    private func bytes(_ xml: String) throws -> (Data, Data) {
        (try Data(contentsOf: URL(fileURLWithPath: xml)), try Data(contentsOf: URL(fileURLWithPath: IRFiles.weightsPath(for: xml))))
    }

    @Test func oneAndTwoLocalWorkersGiveTheBytesOfAnInProcessRun() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = try CalibProcess.run(["run", "--model", model, "--data", images, "--output", output("local.xml"), "--threads", "2"])
        try #require(reference.status == 0, "\(reference.standardError)")
        for workers in [1, 2] {
            let name = output("workers\(workers).xml")
            let run = try CalibProcess.run([
                "run", "--model", model, "--data", images, "--output", name, "--workers", String(workers), "--shard-size", "1",
                "--threads", "2",
            ])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardError.contains("joined"))
            #expect(try bytes(name) == bytes(output("local.xml")), "\(workers) workers")
        }
    }

    @Test func wrongVersionsAreRefusedAndGarbageDoesNotStopTheCoordinator() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let port = 20_000 + Int(getpid() % 20_000)
        let endpoint = "tcp://127.0.0.1:\(port)"
        let coordinator = try CalibProcess.start([
            "coordinator", "--bind", endpoint, "--model", model, "--data", images, "--output", output("served.xml"),
        ])
        defer { coordinator.terminateIfRunning() }
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .dealer)
        defer { socket.close() }
        try socket.setOption(.receiveTimeout, 20_000)
        try socket.connect(endpoint)
        // Random bytes first: dropped with a log line, the coordinator keeps serving.
        var generator = SeededGenerator(seed: 9)
        for _ in 0..<20 {
            try socket.send([(0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }])
        }
        let hello = Hello(
            protocolVersion: ProtocolVersion.current + 1, calibVersion: "9.9", openVINOVersion: "?", host: "test", pid: 1,
            threads: 1)
        try socket.send([MessageCodec.encode(.hello(hello))])
        let reply = try #require(try socket.receive())
        guard case let .refused(reason) = try MessageCodec.decode(try #require(reply.last)) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(reason.contains("protocol version \(ProtocolVersion.current + 1)"))
        // A real worker still gets the whole job done.
        let worker = try CalibProcess.run(["worker", "--connect", endpoint, "--threads", "2"])
        #expect(worker.status == 0, "\(worker.standardError)")
        let served = try coordinator.wait()
        #expect(served.status == 0, "\(served.standardError)")
        #expect(served.standardError.contains("malformed"))
        #expect(FileManager.default.fileExists(atPath: output("served.xml")))
    }

    @Test func aWorkerKilledMidShardDoesNotChangeTheResult() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = try CalibProcess.run(["run", "--model", model, "--data", images, "--output", output("local.xml"), "--threads", "2"])
        try #require(reference.status == 0, "\(reference.standardError)")
        let port = 20_000 + Int((getpid() + 7) % 20_000)
        let endpoint = "tcp://127.0.0.1:\(port)"
        let coordinator = try CalibProcess.start([
            "coordinator", "--bind", endpoint, "--model", model, "--data", images, "--output", output("killed.xml"),
            "--shard-size", "1",
        ])
        defer { coordinator.terminateIfRunning() }
        let victim = try CalibProcess.start(["worker", "--connect", endpoint, "--threads", "1"])
        // Let the victim join and start a shard, then kill it without warning.
        try victim.waitForStandardError(containing: "ready", timeout: 120)
        Thread.sleep(forTimeInterval: 1)
        kill(victim.process.processIdentifier, SIGKILL)
        let survivor = try CalibProcess.run(["worker", "--connect", endpoint, "--threads", "1"])
        #expect(survivor.status == 0, "\(survivor.standardError)")
        let served = try coordinator.wait()
        #expect(served.status == 0, "\(served.standardError)")
        // The victim's shard came back either by the heartbeat timeout ("declared dead")
        // or as a straggler copy for the idle survivor; either way every image is in once.
        #expect(try bytes(output("killed.xml")) == bytes(output("local.xml")))
    }
}
