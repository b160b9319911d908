import Foundation
import Testing

/// `calib health` against a real worker's `--liveness-file`, as a container's health check runs it.
@Suite(.serialized) struct HealthCommandTests {
    let folder: URL
    let file: String

    init() throws {
        folder = try CalibProcess.scratchFolder()
        file = folder.appendingPathComponent("alive").path
    }

    @Test func aWaitingWorkerKeepsItsFileFreshAndLeavesAtOnceOnSIGTERM() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let worker = try CalibProcess.start([
            "worker", "--connect", try CoordinatorProbe.freeEndpoint(), "--no-cache", "--heartbeat-interval", "0.2", "--liveness-file", file,
        ])
        defer { worker.terminateIfRunning() }
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: file), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        Thread.sleep(forTimeInterval: 1)
        let healthy = try CalibProcess.run(["health", "--file", file, "--max-age", "2"])
        #expect(healthy.status == 0, "\(healthy.standardError)")
        #expect(healthy.standardOutput.hasPrefix("healthy: \(file) rewritten "))
        #expect(try String(contentsOfFile: file, encoding: .utf8).hasPrefix("calib worker pid \(worker.process.processIdentifier) "))

        // No shard running: it says goodbye and exits 0 without waiting for the drain timeout.
        let signalled = Date()
        kill(worker.process.processIdentifier, SIGTERM)
        let stopped = try worker.wait(timeout: 10)
        #expect(stopped.exitedNormally && stopped.status == 0, "\(stopped.standardError)")
        #expect(Date().timeIntervalSince(signalled) < 4.5)
        #expect(stopped.standardError.contains("SIGTERM: taking no more shards; no shard running, then leaving"))
        // A worker that ended is not alive: its file is gone.
        #expect(!FileManager.default.fileExists(atPath: file))
        let gone = try CalibProcess.run(["health", "--file", file])
        #expect(gone.status == 1 && gone.standardError.contains("no liveness file"), "\(gone.standardError)")
    }

    @Test func aSecondSignalEndsAWorkerAtOnce() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let worker = try CalibProcess.start(["worker", "--connect", try CoordinatorProbe.freeEndpoint(), "--no-cache", "--liveness-file", file])
        defer { worker.terminateIfRunning() }
        let deadline = Date().addingTimeInterval(60)
        while !FileManager.default.fileExists(atPath: file), Date() < deadline { Thread.sleep(forTimeInterval: 0.1) }
        kill(worker.process.processIdentifier, SIGTERM)
        // The first signal drains (here: says goodbye, which waits up to 2 s); the second one kills.
        Thread.sleep(forTimeInterval: 0.3)
        let second = Date()
        kill(worker.process.processIdentifier, SIGTERM)
        let ended = try worker.wait(timeout: 10)
        #expect(Date().timeIntervalSince(second) < 1, "the second signal must end the worker at once")
        #expect(!ended.exitedNormally, "ended by the signal, not by finishing its goodbye: \(ended.standardError)")
    }

    @Test func aStaleFileMeansAStuckWorker() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("calib worker pid 1 images 3 shard 2\n".utf8).write(to: URL(fileURLWithPath: file))
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-60)], ofItemAtPath: file)
        let stale = try CalibProcess.run(["health", "--file", file, "--max-age", "30"])
        #expect(stale.status == 1)
        #expect(stale.standardError.contains("\(file) was last rewritten "), "\(stale.standardError)")
        #expect(stale.standardError.contains(" s ago, more than --max-age 30.0 s: the worker is stuck or gone"))
        let folderInstead = try CalibProcess.run(["health", "--file", folder.path])
        #expect(folderInstead.status == 1 && folderInstead.standardError.contains("is not a regular file"), "\(folderInstead.standardError)")
    }

    @Test func aMissingFileIsOneLineNamingIt() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let missing = try CalibProcess.run(["health", "--file", file])
        #expect(missing.status == 1)
        #expect(
            missing.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
                == "Error: no liveness file: \(file): No such file or directory (is a worker running with --liveness-file \(file)?)")
    }

    @Test func aLivenessFileThatCannotBeWrittenStopsTheWorkerBeforeItConnects() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let unwritable = folder.appendingPathComponent("no-such-folder/alive").path
        let worker = try CalibProcess.run(["worker", "--connect", "tcp://127.0.0.1:9", "--liveness-file", unwritable], timeout: 30)
        #expect(worker.status == 1)
        #expect(
            worker.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
                == "Error: --liveness-file cannot be written: \(unwritable): No such file or directory")
    }
}
