import Core
import Foundation
import Testing
import Worker

/// A failed distributed run does not block the next one: the journal next to the output
/// is continued when the job is the same, replaced when it is not, and never left next to
/// a written output; a journal the user named is never replaced.
@Suite(.serialized) struct JournalRecoveryTests {
    let workspace: TinyWorkspace
    let images: URL
    let model: String
    let output: String
    let bad: URL

    init() throws {
        workspace = try TinyWorkspace(images: 3)
        images = workspace.images
        bad = images.appendingPathComponent("image_999.png")
        model = try workspace.write(TinyModels.convolutions(), as: "tiny.xml")
        output = workspace.path("q.xml")
    }

    /// Puts a truncated PNG last in the image order.
    private func addBadImage() throws {
        let good = try Data(contentsOf: images.appendingPathComponent("image_000.png"))
        try good.prefix(good.count / 2).write(to: bad)
    }

    /// `calib run --workers 1 --shard-size 1`: one worker takes the shards in order, so the
    /// good images are all accepted before the bad one is handed out.
    private func run(_ extra: [String] = []) throws -> CalibProcess.Outcome {
        try CalibProcess.run(
            ["run", "--model", model, "--data", images.path, "--output", output, "--workers", "1", "--shard-size", "1", "--threads", "1"]
                + extra, timeout: 120)
    }

    @Test func theSameCommandContinuesTheJournalAndTheFixedOneReplacesIt() throws {
        defer { workspace.remove() }
        let journal = output + ".journal"
        try addBadImage()
        let failed = try run()
        #expect(failed.exitedNormally && failed.status != 0)
        #expect(failed.standardError.contains("Error: calibration stopped: shard 3 (image 3) cannot be calibrated on any worker: corrupt PNG"))
        #expect(failed.standardError.contains("image_999.png"))
        // The local worker's last lines come before the error, which ends the output.
        #expect(failed.standardError.split(separator: "\n").last?.hasPrefix("Error: calibration stopped: ") == true, "\(failed.standardError)")
        #expect(FileManager.default.fileExists(atPath: journal))

        // The same command again: the journal is of this job, so it is continued.
        let again = try run()
        #expect(again.status != 0)
        #expect(again.standardError.contains("resumed from journal \(journal): 3 of 4 shards (3 images) already accepted"), "\(again.standardError)")
        #expect(again.standardError.contains("3 from the journal"), "the progress line tells resumed images apart: \(again.standardError)")
        // Running it again cannot get past the image, so no notice suggests it.
        #expect(!again.standardError.contains("the same command continues"), "\(again.standardError)")

        // --resume with the fixed folder is a clear refusal: the journal is of another job.
        try FileManager.default.removeItem(at: bad)
        let resumed = try run(["--resume"])
        #expect(resumed.status != 0)
        #expect(resumed.standardError.contains("Error: result journal '\(journal)' belongs to another job"))

        // The fixed command just works: the other job's journal is replaced with a log line.
        let fixed = try run()
        #expect(fixed.status == 0, "\(fixed.standardError)")
        #expect(fixed.standardError.contains("replacing \(journal), the journal of another job (the model, the images or the options changed)"))
        #expect(fixed.standardOutput.contains("calibrated 3 images"))
        #expect(!FileManager.default.fileExists(atPath: journal), "a journal is never left next to a written output")
    }

    @Test func anExplicitJournalOfAnotherJobStaysAnError() throws {
        defer { workspace.remove() }
        let journal = workspace.path("named.journal")
        try addBadImage()
        #expect(try run(["--journal", journal]).status != 0)
        try FileManager.default.removeItem(at: bad)
        let refused = try run(["--journal", journal])
        #expect(refused.status != 0)
        #expect(refused.standardError.contains(
            "Error: result journal '\(journal)' exists from an unfinished run: pass --resume to continue it, or delete it"))
        let resumed = try run(["--journal", journal, "--resume"])
        #expect(resumed.standardError.contains("Error: result journal '\(journal)' belongs to another job"))
        #expect(FileManager.default.fileExists(atPath: journal))
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func anInProcessRunRemovesAStaleJournalNextToItsOutput() throws {
        defer { workspace.remove() }
        try addBadImage()
        #expect(try run().status != 0)
        try FileManager.default.removeItem(at: bad)
        let local = try CalibProcess.run(["run", "--model", model, "--data", images.path, "--output", output], timeout: 60)
        #expect(local.status == 0, "\(local.standardError)")
        #expect(local.standardError.contains("removed \(output).journal, the journal of an earlier unfinished run"))
        #expect(!FileManager.default.fileExists(atPath: output + ".journal"))
    }

    @Test func anInProcessRunLeavesTheJournalOfARunningCoordinator() throws {
        defer { workspace.remove() }
        let coordinator = try CalibProcess.start([
            "coordinator", "--model", model, "--data", images.path, "--output", output, "--bind", "tcp://127.0.0.1:*",
            "--idle-timeout", "120",
        ])
        defer { coordinator.terminateIfRunning() }
        try coordinator.waitForStandardError(containing: "coordinator listening on ", timeout: 60)
        let local = try CalibProcess.run(["run", "--model", model, "--data", images.path, "--output", output], timeout: 60)
        #expect(local.status == 0, "\(local.standardError)")
        #expect(local.standardError.contains("left \(output).journal: a coordinator writing the same output is running"))
        #expect(FileManager.default.fileExists(atPath: output + ".journal"))
    }
}
