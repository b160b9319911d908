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

    /// The int8 IR of an in-process run on the same model and `data` (the three images by default).
    private func referenceBytes(data: String? = nil) throws -> (Data, Data) {
        let reference = try CalibProcess.run([
            "run", "--model", model, "--data", data ?? images, "--output", output("local.xml"), "--threads", "2",
        ])
        try #require(reference.status == 0, "\(reference.standardError)")
        return try bytes(output("local.xml"))
    }

    /// A folder of `count` example images inside the scratch folder.
    private func exampleImages(_ count: Int) throws -> String {
        let path = folder.appendingPathComponent("images\(count)").path
        _ = try ExampleImageWriter(directory: URL(fileURLWithPath: path)).write(count: count)
        return path
    }

    @Test func oneToFourLocalWorkersGiveTheBytesOfAnInProcessRun() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = try referenceBytes()
        for workers in [1, 2, 3, 4] {
            let name = output("workers\(workers).xml")
            let run = try CalibProcess.run([
                "run", "--model", model, "--data", images, "--output", name, "--workers", String(workers), "--shard-size", "1",
                "--threads", String(workers),
            ])
            #expect(run.status == 0, "\(run.standardError)")
            #expect(run.standardError.components(separatedBy: "joined").count - 1 >= 1)
            #expect(try bytes(name) == reference, "\(workers) workers")
            // Each worker's log lines name its process; the summary says what the workers ran on, then where the report is.
            let ready = run.standardError.split(separator: "\n").filter { $0.contains("ready after") }
            #expect(!ready.isEmpty && ready.allSatisfy { $0.contains(" pid=") }, "\(run.standardError)")
            // ... and where its model came from: a fresh process has it from the coordinator or its cache.
            #expect(ready.allSatisfy { $0.contains("(received in ") || $0.contains("(from the cache folder, ") }, "\(run.standardError)")
            let summary = run.standardOutput.split(separator: "\n").suffix(2)
            #expect(summary.first?.hasPrefix("  workers: OpenVINO limited to instruction set ") == true, "\(run.standardOutput)")
            #expect(summary.last?.hasPrefix("  report: ") == true, "\(run.standardOutput)")
        }
    }

    /// Runs `calib arguments` on a pseudo-terminal (script(1)); its standard output is what
    /// the terminal got.
    private func onTerminal(_ arguments: [String]) throws -> CalibProcess.Outcome {
        let command = ([CalibProcess.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try CalibProcess.Running(program: URL(fileURLWithPath: "/usr/bin/script"), arguments: ["-qec", command, "/dev/null"])
            .wait()
    }

    @Test func onATerminalLogLinesGoAboveTheProgressLineWhoseWorkersAddUpToItsTotal() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try onTerminal([
            "run", "--model", model, "--data", images, "--output", output("terminal.xml"), "--workers", "2", "--shard-size", "1",
        ])
        let screen = run.standardOutput
        #expect(run.status == 0, "\(screen)")
        #expect(screen.contains("statistics [") && screen.contains(" pid="), "\(screen)")
        // A log line never runs on from the end of a progress line: it starts after the line is erased.
        // (Scalar by scalar: a terminal's "\r\n" is one Swift Character, which [^\r\n] would match.)
        let ranOn = try Regex("ETA [^\r\n]*?[0-9]{4}-[0-9]{2}-[0-9]{2}T").matchingSemantics(.unicodeScalar)
        #expect(screen.firstMatch(of: ranOn) == nil, "\(screen)")
        // Each drawing of the progress line shows the workers' images adding up to its total.
        let drawing = try Regex("\\] ([0-9]+)/[0-9]+ [^\r\n]*? [a-z]+ ([0-9]+) img [0-9.]+/s \\| pid [0-9]+ [a-z]+ ([0-9]+) img")
        let drawings = screen.matches(of: drawing.matchingSemantics(.unicodeScalar))
        #expect(!drawings.isEmpty, "\(screen)")
        for drawing in drawings {
            let numbers = (1...3).map { Int(drawing.output[$0].substring ?? "") ?? -1 }
            #expect(numbers[0] == numbers[1] + numbers[2], "\(drawing.output[0].substring ?? "")")
        }

        // A run that fails ends its progress line before the error.
        let broken = try exampleImages(2)
        try Data(try Data(contentsOf: URL(fileURLWithPath: broken).appendingPathComponent("example_000000.jpg")).prefix(3000))
            .write(to: URL(fileURLWithPath: broken).appendingPathComponent("example_000002.jpg"))
        let failed = try onTerminal([
            "run", "--model", model, "--data", broken, "--output", output("broken.xml"), "--workers", "1", "--shard-size", "1",
        ])
        #expect(failed.status != 0 && failed.standardOutput.contains("Error: calibration stopped: "), "\(failed.standardOutput)")
        // Every worker gets the same bytes: the image is not tried again elsewhere.
        #expect(failed.standardOutput.contains("cannot be calibrated on any worker: "), "\(failed.standardOutput)")
        #expect(failed.standardOutput.contains("example_000002.jpg"), "\(failed.standardOutput)")
        let errorRanOn = try Regex("img/s[^\r\n]*Error: ").matchingSemantics(.unicodeScalar)
        #expect(failed.standardOutput.firstMatch(of: errorRanOn) == nil, "\(failed.standardOutput)")
    }

    @Test func anInterruptedRunSaysWhatIsKeptAndTheSameCommandContinues() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let many = try exampleImages(12)
        let name = output("interrupted.xml")
        let arguments = ["run", "--model", model, "--data", many, "--output", name, "--workers", "1", "--shard-size", "1", "--threads", "1"]
        let running = try CalibProcess.start(arguments)
        // Without a terminal the progress line is printed at each tenth: two images are in.
        try running.waitForStandardError(containing: "2/12", timeout: 120)
        kill(running.process.processIdentifier, SIGINT)
        let stopped = try running.wait(timeout: 30)
        #expect(stopped.exitedNormally && stopped.status == 128 + SIGINT, "\(stopped.standardError)")
        // (Its worker, left without its run, may still say so after this line.)
        #expect(
            stopped.standardError.contains(
                "\ninterrupted by SIGINT: results accepted so far are kept in the journal \(name).journal; the same command continues from them\n"),
            "\(stopped.standardError)")
        let again = try CalibProcess.run(arguments)
        #expect(again.status == 0 && again.standardError.contains("resumed from journal \(name).journal"), "\(again.standardError)")

        // In one process nothing is kept, and it says so.
        let alone = try CalibProcess.start(["run", "--model", model, "--data", many, "--output", output("alone.xml"), "--threads", "1"])
        try alone.waitForStandardError(containing: "2/12", timeout: 120)
        kill(alone.process.processIdentifier, SIGINT)
        let ended = try alone.wait(timeout: 30)
        #expect(ended.exitedNormally && ended.status == 128 + SIGINT, "\(ended.standardError)")
        #expect(ended.standardError.hasSuffix("interrupted by SIGINT: nothing is kept, an in-process run keeps no journal (with --workers N a run can be continued)\n"))
    }

    @Test func wrongVersionsAreRefusedAndGarbageIsCutOffWhileOthersAreServed() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let endpoint = try CoordinatorProbe.freeEndpoint()
        let coordinator = try CalibProcess.start([
            "coordinator", "--bind", endpoint, "--model", model, "--data", images, "--output", output("served.xml"),
        ])
        defer { coordinator.terminateIfRunning() }
        let context = try ZMQContext()
        // Random bytes and multi-frame junk: dropped with a log line; after 10 the peer is cut off.
        let garbage = try ZMQSocket(context: context, kind: .dealer)
        defer { garbage.close() }
        try garbage.connect(endpoint)
        var generator = SeededGenerator(seed: 9)
        for round in 0..<30 {
            let frame = (0..<Int(generator.next() % 300)).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
            try garbage.send(round % 5 == 0 ? [frame, frame] : [frame])
        }
        try coordinator.waitForStandardError(containing: "cut off peer", timeout: 60)
        // A worker of another protocol version is refused in words it can read.
        let stranger = try ZMQSocket(context: context, kind: .dealer)
        defer { stranger.close() }
        try stranger.setOption(.receiveTimeout, 20_000)
        try stranger.connect(endpoint)
        let hello = Hello(
            protocolVersion: ProtocolVersion.current + 1, calibVersion: "9.9", openVINOVersion: "?", host: "test", pid: 1,
            threads: 1)
        try stranger.send([MessageCodec.encode(.hello(hello))])
        let reply = try #require(try stranger.receive())
        guard case let .refused(reason) = try MessageCodec.decode(try #require(reply.last)) else {
            Issue.record("expected a refusal")
            return
        }
        let refusal = "protocol version \(ProtocolVersion.current + 1) is not supported; this coordinator speaks version \(ProtocolVersion.current)"
        #expect(reason == refusal)
        try coordinator.waitForStandardError(containing: "refused worker ", timeout: 10)
        #expect(coordinator.standardError.contains(": \(refusal)"), "the coordinator logs the refusal too")
        // A real worker still gets the whole job done.
        let worker = try CalibProcess.run(["worker", "--connect", endpoint, "--threads", "2"])
        #expect(worker.status == 0, "\(worker.standardError)")
        let served = try coordinator.wait()
        #expect(served.status == 0, "\(served.standardError)")
        #expect(served.standardError.contains("malformed"))
        #expect(served.standardError.components(separatedBy: "dropped a").count - 1 == 10, "logging stops at the cut-off")
        #expect(FileManager.default.fileExists(atPath: output("served.xml")))
    }

    @Test func aWorkerKilledMidShardIsShownDeadAndDoesNotChangeTheResult() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let reference = try referenceBytes()
        let endpoint = try CoordinatorProbe.freeEndpoint()
        let coordinator = try CalibProcess.start([
            "coordinator", "--bind", endpoint, "--model", model, "--data", images, "--output", output("killed.xml"),
            "--shard-size", "1", "--heartbeat-interval", "0.5",
        ])
        defer { coordinator.terminateIfRunning() }
        let victim = try CalibProcess.start(["worker", "--connect", endpoint, "--threads", "1", "--heartbeat-interval", "0.5"])
        // Let the victim join and start a shard, then kill it without warning.
        _ = try CoordinatorProbe.waitForStatus(endpoint, timeout: 120) { $0.workers.first?.state == .working }
        kill(victim.process.processIdentifier, SIGKILL)
        let dead = try CoordinatorProbe.waitForStatus(endpoint, timeout: 30) { $0.workers.first?.state == .dead }
        #expect(dead.workers.first?.pid == victim.process.processIdentifier)
        #expect(try #require(dead.workers.first).lastHeartbeatAge >= 1.5)
        let table = try CalibProcess.run(["status", "--connect", endpoint])
        #expect(table.standardOutput.contains("dead"), "\(table.standardOutput)")
        let survivor = try CalibProcess.run(["worker", "--connect", endpoint, "--threads", "1", "--heartbeat-interval", "0.5"])
        #expect(survivor.status == 0, "\(survivor.standardError)")
        let served = try coordinator.wait()
        #expect(served.status == 0, "\(served.standardError)")
        #expect(served.standardError.contains("declared dead"))
        #expect(try bytes(output("killed.xml")) == reference)
    }

    @Test func aWorkerStoppedWithSIGTERMFinishesItsShardSaysGoodbyeAndTheBytesDoNotChange() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let six = try exampleImages(6)
        let reference = try referenceBytes(data: six)
        let endpoint = try CoordinatorProbe.freeEndpoint()
        let coordinator = try CalibProcess.start([
            "coordinator", "--bind", endpoint, "--model", model, "--data", six, "--output", output("drained.xml"),
            "--shard-size", "1", "--heartbeat-interval", "0.5",
        ])
        defer { coordinator.terminateIfRunning() }
        let victim = try CalibProcess.start([
            "worker", "--connect", endpoint, "--threads", "1", "--heartbeat-interval", "0.5", "--drain-timeout", "8",
        ])
        let pid = victim.process.processIdentifier
        // Stopped as `podman stop` stops a container: SIGTERM while a shard runs.
        _ = try CoordinatorProbe.waitForStatus(endpoint, timeout: 120) { $0.workers.contains { $0.pid == pid && $0.state == .working } }
        let signalled = Date()
        kill(pid, SIGTERM)
        let stopped = try victim.wait(timeout: 20)
        let seconds = Date().timeIntervalSince(signalled)
        #expect(stopped.exitedNormally && stopped.status == 0, "\(stopped.standardError)")
        #expect(seconds < 10, "a container's stop grace is 10 s; this took \(seconds) s")
        #expect(stopped.standardError.contains("SIGTERM: taking no more shards; finishing shard"), "\(stopped.standardError)")
        #expect(!stopped.standardError.contains("giving it back"), "the shard finished within the drain timeout")
        #expect(stopped.standardError.contains("said goodbye to the coordinator"), "\(stopped.standardError)")
        let left = try CoordinatorProbe.waitForStatus(endpoint, timeout: 10) { $0.workers.first { $0.pid == pid }?.state == .left }
        #expect(try #require(left.workers.first { $0.pid == pid }).imagesDone >= 1, "its finished shard was accepted")

        let survivor = try CalibProcess.run(["worker", "--connect", endpoint, "--threads", "1", "--heartbeat-interval", "0.5"])
        #expect(survivor.status == 0, "\(survivor.standardError)")
        let served = try coordinator.wait()
        #expect(served.status == 0, "\(served.standardError)")
        #expect(!served.standardError.contains("declared dead"), "a worker that said goodbye is not waited for")
        #expect(try bytes(output("drained.xml")) == reference)
    }

    @Test func aLateWorkerJoinsAndTakesWork() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let many = try exampleImages(12)
        let endpoint = try CoordinatorProbe.freeEndpoint()
        let coordinator = try CalibProcess.start([
            "coordinator", "--bind", endpoint, "--model", model, "--data", many, "--output", output("late.xml"),
            "--shard-size", "1",
        ])
        defer { coordinator.terminateIfRunning() }
        let early = try CalibProcess.start(["worker", "--connect", endpoint, "--threads", "1"])
        let started = try CoordinatorProbe.waitForStatus(endpoint, timeout: 120) { $0.imagesDone >= 1 }
        #expect(started.workers.count == 1)
        let late = try CalibProcess.run(["worker", "--connect", endpoint, "--threads", "1"])
        #expect(late.status == 0, "\(late.standardError)")
        #expect(try early.wait().status == 0)
        #expect(try coordinator.wait().status == 0)
        let computed = late.standardError.components(separatedBy: "this worker computed ").last?.prefix { $0.isNumber }
        #expect(Int(computed ?? "") ?? 0 >= 1, "\(late.standardError)")
    }

    @Test func aCoordinatorKilledMidRunResumesFromItsJournalWithIdenticalBytes() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let eight = try exampleImages(8)
        let reference = try referenceBytes(data: eight)
        let endpoint = try CoordinatorProbe.freeEndpoint()
        let result = output("resumed.xml")
        let journal = result + ".journal"
        let arguments = [
            "coordinator", "--bind", endpoint, "--model", model, "--data", eight, "--output", result, "--shard-size", "1",
            "--heartbeat-interval", "0.5",
        ]
        let first = try CalibProcess.start(arguments)
        let worker = try CalibProcess.start(["worker", "--connect", endpoint, "--threads", "1", "--heartbeat-interval", "0.5"])
        _ = try CoordinatorProbe.waitForStatus(endpoint, timeout: 120) { $0.imagesDone >= 2 }
        kill(first.process.processIdentifier, SIGKILL)
        _ = try first.wait()
        #expect(FileManager.default.fileExists(atPath: journal))
        #expect(!FileManager.default.fileExists(atPath: result))

        // Another job (another shard size) cannot resume this journal.
        let otherJob = try CalibProcess.run(arguments.map { $0 == "1" ? "2" : $0 } + ["--resume"], timeout: 60)
        #expect(otherJob.status != 0 && otherJob.standardError.contains("belongs to another job"), "\(otherJob.standardError)")
        // A record torn by the kill: reported, and the intact records are used.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journal))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data([0, 0, 0, 0, 0xff, 0xff, 0, 0, 1, 2, 3]))
        try handle.close()

        // The same command continues the journal next to its output, --resume or not.
        let second = try CalibProcess.run(arguments, timeout: 300)
        #expect(second.status == 0, "\(second.standardError)")
        #expect(second.standardError.contains("torn last record"), "\(second.standardError)")
        let accepted = Int(second.standardError.components(separatedBy: "resumed from journal \(journal): ").last?.prefix { $0.isNumber } ?? "")
        let computed = Int(second.standardError.components(separatedBy: "images in: ").last?.prefix { $0.isNumber } ?? "")
        #expect((accepted ?? 0) >= 2, "\(second.standardError)")
        #expect((accepted ?? 0) + (computed ?? 0) == 8, "each image once: \(second.standardError)")
        #expect(try worker.wait(timeout: 60).status == 0, "the worker reconnects by itself")
        #expect(try bytes(result) == reference)
        #expect(!FileManager.default.fileExists(atPath: journal), "the journal goes once the output is written")
    }

    /// Runs `calib keygen` for `name` in the scratch folder; returns the key-pair path.
    private func keygen(_ name: String) throws -> String {
        let path = output(name + ".key")
        let run = try CalibProcess.run(["keygen", "--output", path, "--name", name])
        try #require(run.status == 0, "\(run.standardError)")
        return path
    }

    /// An HTTP GET of `path` on `endpoint` (`tcp://host:port`), through a ZeroMQ STREAM socket.
    private func httpGet(_ endpoint: String, path: String) throws -> String {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .stream)
        defer { socket.close() }
        try socket.setOption(.receiveTimeout, 10_000)
        try socket.connect(endpoint)
        let peer = try socket.option(.routingID)
        try socket.send([peer, Array("GET \(path) HTTP/1.1\r\nHost: test\r\n\r\n".utf8)])
        var response: [UInt8] = []
        // The server closes the connection after its answer: an empty frame (or a timeout) ends it.
        while let frames = try socket.receive(), let data = frames.last, !(data.isEmpty && !response.isEmpty) {
            response += data
        }
        return String(decoding: response, as: UTF8.self)
    }

    @Test func curveAdmitsAuthorizedWorkersOnlyAndMetricsAreServed() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let server = try keygen("coordinator")
        let admitted = try keygen("admitted")
        let stranger = try keygen("stranger")
        let authorized = output("authorized_keys")
        try Data(("# workers\n" + String(contentsOfFile: admitted + ".pub", encoding: .utf8)).utf8)
            .write(to: URL(fileURLWithPath: authorized))
        let endpoint = try CoordinatorProbe.freeEndpoint()
        let metricsPort = try #require(Int(try CoordinatorProbe.freeEndpoint().split(separator: ":").last ?? ""))
        let coordinator = try CalibProcess.start([
            "coordinator", "--bind", endpoint, "--model", model, "--data", images, "--output", output("curve.xml"),
            "--secret-key", server, "--authorized-keys", authorized, "--metrics-port", String(metricsPort),
        ])
        defer { coordinator.terminateIfRunning() }
        try coordinator.waitForStandardError(containing: "metrics at", timeout: 60)

        // An unknown key is refused with a message on both sides; nothing is computed.
        let refused = try CalibProcess.run([
            "worker", "--connect", endpoint, "--secret-key", stranger, "--server-key", server + ".pub",
        ])
        #expect(refused.status != 0)
        #expect(refused.standardError.contains("not in the coordinator's authorized keys"), "\(refused.standardError)")
        #expect(coordinator.standardError.contains("refused CURVE key"))
        // A plain client gets nothing from a CURVE coordinator, not even the status, and is
        // told why; so is a refused key, and a client holding another server's public key.
        let mismatch = "it uses the other security mechanism: a coordinator with CURVE needs --secret-key and --server-key"
        let plain = try CalibProcess.run(["status", "--connect", endpoint, "--timeout", "20"])
        #expect(plain.status != 0 && plain.standardError.contains("cannot ask the coordinator at \(endpoint): \(mismatch)"), "\(plain.standardError)")
        let strangerStatus = try CalibProcess.run([
            "status", "--connect", endpoint, "--secret-key", stranger, "--server-key", server + ".pub", "--timeout", "20",
        ])
        #expect(strangerStatus.standardError.contains("it refused this key (CURVE authentication failed, ZAP status 400)"),
                "\(strangerStatus.standardError)")
        let plainWorker = try CalibProcess.run(["worker", "--connect", endpoint, "--idle-timeout", "20"])
        #expect(plainWorker.status != 0 && plainWorker.standardError.contains("cannot join the coordinator at \(endpoint): \(mismatch)"),
                "\(plainWorker.standardError)")
        let wrongServer = try CalibProcess.run([
            "status", "--connect", endpoint, "--secret-key", admitted, "--server-key", stranger + ".pub", "--timeout", "2",
        ])
        #expect(wrongServer.standardError.contains("it hung up during the security handshake: is --server-key that coordinator's public key?"),
                "\(wrongServer.standardError)")
        // A worker with another server's public key stops after two attempts, not at its idle timeout.
        let wrongServerWorker = try CalibProcess.run([
            "worker", "--connect", endpoint, "--secret-key", admitted, "--server-key", stranger + ".pub", "--heartbeat-interval", "0.5",
        ], timeout: 60)
        #expect(wrongServerWorker.exitedNormally && wrongServerWorker.status != 0)
        #expect(wrongServerWorker.standardError.contains(
            "cannot join the coordinator at \(endpoint): it hung up during the security handshake: is --server-key that coordinator's public key?"),
            "\(wrongServerWorker.standardError)")

        let metrics = try httpGet("tcp://127.0.0.1:\(metricsPort)", path: "/metrics")
        #expect(metrics.hasPrefix("HTTP/1.0 200 OK"), "\(metrics)")
        #expect(metrics.contains("calib_images{job_id="), "\(metrics)")
        #expect(metrics.contains("calib_workers{state=\"idle\"} 0"), "\(metrics)")
        #expect(try httpGet("tcp://127.0.0.1:\(metricsPort)", path: "/nothing").hasPrefix("HTTP/1.0 404"))

        let worker = try CalibProcess.run([
            "worker", "--connect", endpoint, "--secret-key", admitted, "--server-key", server + ".pub", "--threads", "2",
        ])
        #expect(worker.status == 0, "\(worker.standardError)")
        let served = try coordinator.wait()
        #expect(served.status == 0, "\(served.standardError)")
        #expect(served.standardError.contains("admitted CURVE key"))
        #expect(try bytes(output("curve.xml")) == referenceBytes())
    }

    @Test(
        .enabled(
            if: NetworkNamespacePair.available,
            "needs root and `ip netns` to put coordinator and worker on two hosts joined by a veth pair"))
    func coordinatorAndWorkerOnTwoHostsOfAVethPair() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let hosts = try NetworkNamespacePair()
        let server = try keygen("coordinator")
        let worker = try keygen("worker")
        let authorized = worker + ".pub"
        let endpoint = "tcp://\(hosts.first.address):5555"
        // Not loopback, so the coordinator insists on CURVE keys.
        let plain = try CalibProcess.start(
            ["coordinator", "--bind", endpoint, "--model", model, "--data", images, "--output", output("veth.xml")],
            launcher: hosts.launcher(hosts.first.namespace))
        let refusal = try plain.wait()
        #expect(refusal.status != 0 && refusal.standardError.contains("--insecure"), "\(refusal.standardError)")

        let coordinator = try CalibProcess.start(
            [
                "coordinator", "--bind", endpoint, "--model", model, "--data", images, "--output", output("veth.xml"),
                "--secret-key", server, "--authorized-keys", authorized,
            ],
            launcher: hosts.launcher(hosts.first.namespace))
        defer { coordinator.terminateIfRunning() }
        try coordinator.waitForStandardError(containing: "listening", timeout: 60)
        let remote = try CalibProcess.start(
            ["worker", "--connect", endpoint, "--secret-key", worker, "--server-key", server + ".pub", "--threads", "2"],
            launcher: hosts.launcher(hosts.second.namespace))
        #expect(try remote.wait().status == 0, "\(remote.standardError)")
        let served = try coordinator.wait()
        #expect(served.status == 0, "\(served.standardError)")
        #expect(served.standardError.contains("admitted CURVE key"), "\(served.standardError)")
        #expect(served.standardError.contains("from \(hosts.second.address)"), "the worker came from the other host")
        #expect(try bytes(output("veth.xml")) == referenceBytes())
    }
}
