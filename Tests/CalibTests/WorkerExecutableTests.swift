import Foundation
import Testing
import Worker

/// `run --workers` starts its workers from the running executable itself: found on
/// `PATH` and started from another folder, it must neither fail to find itself nor
/// start some other program called `calib` in the working directory.
@Suite(.serialized) struct WorkerExecutableTests {
    @Test func workersComeFromTheRunningExecutableNotTheWorkingDirectory() throws {
        let workspace = try TinyWorkspace(images: 4)
        defer { workspace.remove() }
        let (folder, images) = (workspace.folder, workspace.images)
        let model = try workspace.write(TinyModels.convolutions(), as: "tiny.xml")
        // An impostor named calib in the working directory leaves a mark if started.
        let elsewhere = folder.appendingPathComponent("elsewhere")
        try FileManager.default.createDirectory(at: elsewhere, withIntermediateDirectories: true)
        let impostor = elsewhere.appendingPathComponent("calib")
        let mark = folder.appendingPathComponent("impostor-ran").path
        try "#!/bin/sh\ntouch '\(mark)'\nexit 3\n".write(to: impostor, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: impostor.path)

        let output = folder.appendingPathComponent("q.xml").path
        let buildFolder = CalibProcess.executable.deletingLastPathComponent().path
        let run = try CalibProcess.Running(
            program: URL(fileURLWithPath: "/bin/sh"),
            arguments: [
                "-c", "exec calib run --model \"$0\" --data \"$1\" --output \"$2\" --workers 2 --threads 2", model, images.path,
                output,
            ],
            directory: elsewhere, environment: ["PATH": "\(buildFolder):/usr/bin:/bin"]
        ).wait(timeout: 120)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("calibrated 4 images"))
        // The progress line shows each worker's health as the run goes.
        let workers = run.standardError.split(separator: "\n").last { $0.hasPrefix("statistics [") }
        #expect(workers?.components(separatedBy: " img ").count == 3, "\(run.standardError)")
        #expect(workers?.contains("pid ") == true)
        #expect(!FileManager.default.fileExists(atPath: mark), "the calib in the working directory was started")
        #expect(FileManager.default.fileExists(atPath: output))
    }

    /// `--cpus` holds every thread of the worker, those already running included, to the
    /// CPUs given: OpenVINO then pins its own threads inside them.
    @Test func aWorkerRunsOnlyOnTheCPUsGiven() throws {
        let cpu = ProcessorAffinity.allowed().last!
        let worker = try CalibProcess.start(["worker", "--connect", "tcp://127.0.0.1:1", "--cpus", String(cpu), "--idle-timeout", "30"])
        defer { worker.terminateIfRunning() }
        try worker.waitForStandardError(containing: "running on CPU \(cpu) only (worker --cpus)", timeout: 30)
        let tasks = try FileManager.default.contentsOfDirectory(atPath: "/proc/\(worker.process.processIdentifier)/task")
        #expect(tasks.count > 1)
        for task in tasks {
            let status = try String(contentsOfFile: "/proc/\(worker.process.processIdentifier)/task/\(task)/status", encoding: .utf8)
            #expect(status.contains("Cpus_allowed_list:\t\(cpu)\n"), "thread \(task)")
        }
    }
}
