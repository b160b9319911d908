import Core
import Foundation
import Protocol
import Testing
import Worker

/// Nothing waits for ever: a job no worker can serve, a coordinator without workers and
/// a worker without a coordinator all end, with the reason, within a bound.
@Suite(.serialized) struct UnservableJobTests {
    let workspace: TinyWorkspace
    let images: URL
    let model: String

    init() throws {
        workspace = try TinyWorkspace(images: 4)
        images = workspace.images
        model = try workspace.write(TinyModels.convolutions(activation: "FooBar"), as: "foobar.xml")
    }

    private func output(_ name: String) -> String { workspace.path(name) }

    /// OpenVINO's own words for the unknown layer type, as an in-process run reports them.
    private func openVINOMessage() throws -> String {
        let local = try CalibProcess.run(["run", "--model", model, "--data", images.path, "--output", output("local.xml")], timeout: 60)
        #expect(local.exitedNormally && local.status != 0)
        let line = try #require(local.standardError.split(separator: "\n").last { $0.contains("FooBar") })
        return String(line.dropFirst("Error: ".count))
    }

    @Test func localWorkersThatCannotCompileTheModelEndTheRunWithOpenVINOsMessage() throws {
        defer { workspace.remove() }
        let message = try openVINOMessage()
        #expect(message.contains("FooBar"))
        let run = try CalibProcess.run(
            ["run", "--model", model, "--data", images.path, "--output", output("q.xml"), "--workers", "2"], timeout: 60)
        #expect(run.exitedNormally && run.status != 0)
        let last = try #require(run.standardError.split(separator: "\n").last)
        #expect(last.hasPrefix("Error: calibration stopped: all 2 local worker processes exited (pid "), "\(last)")
        #expect(last.contains("; a worker could not serve the job (and 1 more): "), "\(last)")
        #expect(last.hasSuffix(message), "\(last)")
        #expect(!FileManager.default.fileExists(atPath: output("q.xml")))
    }

    @Test func aCoordinatorWhoseWorkersCannotServeTheJobStopsAfterTheIdleTimeout() throws {
        defer { workspace.remove() }
        let message = try openVINOMessage()
        let coordinator = try CalibProcess.start([
            "coordinator", "--model", model, "--data", images.path, "--output", output("q.xml"), "--bind", "tcp://127.0.0.1:*",
            "--idle-timeout", "3", "--heartbeat-interval", "0.2",
        ])
        try coordinator.waitForStandardError(containing: "coordinator listening on ", timeout: 30)
        let endpoint = try #require(
            coordinator.standardError.split(separator: "\n").first { $0.contains("coordinator listening on ") }?
                .split(separator: " ").first { $0.hasPrefix("tcp://") }.map { String($0.dropLast($0.hasSuffix(",") ? 1 : 0)) })
        let worker = try CalibProcess.run(["worker", "--connect", endpoint, "--heartbeat-interval", "0.2"], timeout: 60)
        #expect(worker.exitedNormally && worker.status != 0)
        #expect(worker.standardError.contains("Error: this worker cannot serve the job: \(message)"), "\(worker.standardError)")
        let served = try coordinator.wait(timeout: 60)
        #expect(served.exitedNormally && served.status != 0)
        #expect(served.standardError.contains("cannot serve the job and left: \(message)"))
        #expect(served.standardError.contains("no live worker for 1 s; waiting for one at most 3 s (--idle-timeout)"), "\(served.standardError)")
        let last = try #require(served.standardError.split(separator: "\n").last)
        #expect(last == "Error: calibration stopped: no live worker for 3 s (--idle-timeout); a worker could not serve the job: \(message)")
        #expect(!FileManager.default.fileExists(atPath: output("q.xml")))
    }

    /// Runs `body` with the endpoint of a socket that takes connections and never answers.
    private func withSilentCoordinator(_ body: (String) throws -> Void) throws {
        let context = try ZMQContext()
        let silent = try ZMQSocket(context: context, kind: .router)
        defer { silent.close() }
        try silent.bind("tcp://127.0.0.1:*")
        try body(try silent.lastEndpoint)
    }

    @Test func aWorkerWithoutACoordinatorGivesUpAfterTheIdleTimeout() throws {
        defer { workspace.remove() }
        try withSilentCoordinator { endpoint in
            let worker = try CalibProcess.run(
                ["worker", "--connect", endpoint, "--heartbeat-interval", "0.2", "--idle-timeout", "2"], timeout: 60)
            #expect(worker.exitedNormally && worker.status != 0)
            let last = try #require(worker.standardError.split(separator: "\n").last)
            #expect(last.hasPrefix("Error: no message from the coordinator at \(endpoint) for "), "\(last)")
            #expect(last.hasSuffix(" s (--idle-timeout): giving up"))
            #expect(worker.standardError.contains("no answer from a coordinator at \(endpoint) for "), "\(worker.standardError)")
        }
    }

    @Test func aWorkerStoppedBeforeAnyCoordinatorAnsweredSaysSo() throws {
        defer { workspace.remove() }
        try withSilentCoordinator { endpoint in
            let worker = try CalibProcess.start(["worker", "--connect", endpoint, "--heartbeat-interval", "0.2"])
            try worker.waitForStandardError(containing: "no answer from a coordinator", timeout: 30)
            kill(worker.process.processIdentifier, SIGTERM)
            let stopped = try worker.wait(timeout: 20)
            #expect(stopped.exitedNormally && stopped.status == 0, "\(stopped.standardError)")
            #expect(stopped.standardError.contains("stopped before a coordinator at \(endpoint) ever answered"), "\(stopped.standardError)")
            #expect(!stopped.standardError.contains("said goodbye"), "\(stopped.standardError)")
        }
    }

    @Test func localWorkersStopWhenTheRunThatStartedThemIsKilled() throws {
        defer { workspace.remove() }
        // A model that compiles, and enough images to keep the workers busy for a while.
        try TinyModels.writeImages(count: 40, to: images)
        let good = try workspace.write(TinyModels.convolutions(), as: "good.xml")
        let run = try CalibProcess.start([
            "run", "--model", good, "--data", images.path, "--output", output("q.xml"), "--workers", "2", "--shard-size", "1",
        ])
        try run.waitForStandardError(containing: "joined", timeout: 60)
        let parent = run.process.processIdentifier
        kill(parent, SIGKILL)
        _ = try run.wait(timeout: 30)
        // The workers notice within one turn of their loop; bounded here by a generous deadline.
        let deadline = Date().addingTimeInterval(30)
        while Self.processes(withArgument: "--parent-pid \(parent)") > 0, Date() < deadline {
            Thread.sleep(forTimeInterval: 0.1)
        }
        #expect(Self.processes(withArgument: "--parent-pid \(parent)") == 0, "workers outlived the run that started them")
    }

    @Test func aWorkerToldToReconnectSaysHelloAgainOnANewConnection() throws {
        defer { workspace.remove() }
        let context = try ZMQContext()
        let coordinator = try ZMQSocket(context: context, kind: .router)
        defer { coordinator.close() }
        try coordinator.setOption(.receiveTimeout, 20_000)
        try coordinator.bind("tcp://127.0.0.1:*")
        let endpoint = try coordinator.lastEndpoint
        let worker = try CalibProcess.start(["worker", "--connect", endpoint, "--idle-timeout", "30", "--no-cache"])
        defer { worker.terminateIfRunning() }
        /// The next hello's routing id, skipping heartbeats.
        func nextHello() throws -> [UInt8] {
            while true {
                let frames = try #require(try coordinator.receive(), "no hello within 20 s: \(worker.standardError)")
                if case .hello = try MessageCodec.decode(frames[1]) { return frames[0] }
            }
        }
        let first = try nextHello()
        try coordinator.send([first, MessageCodec.encode(.reconnect)])
        let second = try nextHello()
        #expect(second != first, "a new connection, so a new routing id")
        try worker.waitForStandardError(containing: "has no session with this worker (it was restarted?): reconnecting", timeout: 10)
    }

    @Test func statusWithNothingListeningIsAnErrorNotAUsageMistake() throws {
        defer { workspace.remove() }
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .router)
        try socket.bind("tcp://127.0.0.1:*")
        let endpoint = try socket.lastEndpoint
        socket.close()
        let status = try CalibProcess.run(["status", "--connect", endpoint, "--timeout", "1"], timeout: 30)
        #expect(status.exitedNormally && status.status == 1)
        #expect(
            status.standardError == "Error: no answer from a coordinator at \(endpoint) within 1.0 s: "
                + "nothing accepted a connection there: is it running, is the address right?\n", "\(status.standardError)")
    }

    @Test func statusWithAHostNameThatDoesNotResolveSaysSo() throws {
        defer { workspace.remove() }
        let endpoint = "tcp://calib-no-such-host.invalid:5555"
        let status = try CalibProcess.run(["status", "--connect", endpoint, "--timeout", "1"], timeout: 30)
        #expect(status.exitedNormally && status.status == 1)
        #expect(
            status.standardError.hasPrefix(
                "Error: no answer from a coordinator at \(endpoint) within 1.0 s: its host name 'calib-no-such-host.invalid' does not resolve ("),
            "\(status.standardError)")
    }

    /// How many processes have `argument` in their command line (from /proc).
    private static func processes(withArgument argument: String) -> Int {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.filter { $0.allSatisfy(\.isNumber) }.count { pid in
            guard let line = try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(pid)/cmdline")) else { return false }
            return String(decoding: line.map { $0 == 0 ? 32 : $0 }, as: UTF8.self).contains(argument)
        }
    }
}
