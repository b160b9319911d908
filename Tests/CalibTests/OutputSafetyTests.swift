import Core
import Foundation
import Testing
import Worker

/// `--output` can never destroy the model being calibrated, and an output that cannot be
/// written is reported before any image is read.
@Suite(.serialized) struct OutputSafetyTests {
    let workspace: TinyWorkspace
    let folder: URL
    let images: URL
    let model: String

    init() throws {
        workspace = try TinyWorkspace(images: 2)
        folder = workspace.folder
        images = workspace.images
        model = try workspace.write(TinyModels.convolutions(), as: "m.xml")
    }

    private func run(output: String, extra: [String] = []) throws -> CalibProcess.Outcome {
        try CalibProcess.run(["run", "--model", model, "--data", images.path, "--output", output] + extra, timeout: 60)
    }

    private func modelBytes() throws -> (Data, Data) {
        (try Data(contentsOf: URL(fileURLWithPath: model)), try Data(contentsOf: URL(fileURLWithPath: IRFiles.weightsPath(for: model))))
    }

    @Test func theModelItselfUnderAnyPathIsRefusedAndLeftIntact() throws {
        defer { workspace.remove() }
        let before = try modelBytes()
        let link = folder.appendingPathComponent("link.xml").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: model)
        let hardLink = folder.appendingPathComponent("hard.xml").path
        try FileManager.default.linkItem(atPath: model, toPath: hardLink)
        for output in [model, images.path + "/../m.xml", link, hardLink] {
            let refused = try run(output: output)
            #expect(refused.exitedNormally && refused.status != 0)
            #expect(
                refused.standardError.contains("Error: \(output): is the input model's file \(model): the int8 IR would replace it"),
                "\(refused.standardError)")
            #expect(!refused.standardError.contains("statistics ["), "refused only after reading images")
        }
        // An output whose .bin would be the model's .bin.
        let sameBin = folder.appendingPathComponent("m.xml.d").path
        try FileManager.default.createDirectory(atPath: sameBin, withIntermediateDirectories: true)
        let binLink = sameBin + "/q.bin"
        try FileManager.default.createSymbolicLink(atPath: binLink, withDestinationPath: IRFiles.weightsPath(for: model))
        let refused = try run(output: sameBin + "/q.xml")
        #expect(refused.standardError.contains("Error: \(binLink): is the input model's file \(IRFiles.weightsPath(for: model))"))
        #expect(try modelBytes() == before)
    }

    @Test func aDirectoryOrAnUnwritableFolderIsRefusedBeforeAnyWork() throws {
        defer { workspace.remove() }
        let directory = folder.appendingPathComponent("out.xml").path
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let intoDirectory = try run(output: directory)
        #expect(intoDirectory.exitedNormally && intoDirectory.status != 0)
        #expect(intoDirectory.standardError.contains(
            "Error: \(directory): is a directory; --output names the .xml file of the int8 IR"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("out.bin").path))

        let missingFolder = folder.appendingPathComponent("nowhere/q.xml").path
        let missing = try run(output: missingFolder)
        #expect(missing.standardError.contains(
            "Error: \(missingFolder): cannot be written: folder \(folder.appendingPathComponent("nowhere").path) does not exist"))
        #expect(!missing.standardError.contains("statistics ["))

        // Even root cannot create files in /proc.
        let unwritable = try run(output: "/proc/q.xml")
        #expect(unwritable.exitedNormally && unwritable.status != 0)
        #expect(unwritable.standardError.contains("Error: /proc/q.xml: cannot be written: "), "\(unwritable.standardError)")
        #expect(!unwritable.standardError.contains("statistics ["))

        let stats = try run(output: folder.appendingPathComponent("q.xml").path, extra: ["--save-stats", directory])
        #expect(stats.standardError.contains("Error: \(directory): is a directory, not a file that can be written"))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("q.xml").path))

        // The report page next to the IR, checked before the run too.
        let report = folder.appendingPathComponent("r.report.html").path
        try FileManager.default.createDirectory(atPath: report, withIntermediateDirectories: true)
        let blocked = try run(output: folder.appendingPathComponent("r.xml").path)
        #expect(blocked.standardError.contains("Error: \(report): is a directory, not a file that can be written"), "\(blocked.standardError)")
        #expect(!blocked.standardError.contains("statistics ["))
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("r.xml").path))
    }

    @Test func rewritingAnOutputReplacesBothFilesAndLeavesNoTemporaryFiles() throws {
        defer { workspace.remove() }
        let output = folder.appendingPathComponent("q.xml").path
        let first = try run(output: output, extra: ["--method", "minmax"])
        try #require(first.status == 0, "\(first.standardError)")
        let firstBin = try Data(contentsOf: URL(fileURLWithPath: IRFiles.weightsPath(for: output)))
        let second = try run(output: output)
        try #require(second.status == 0, "\(second.standardError)")
        let written = try IRFiles.read(xmlPath: output)
        #expect(written.weights != [UInt8](firstBin))
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix(".") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }

    @Test func statisticsAndJournalFilesNeverReplaceTheModelAnImageOrTheOutput() throws {
        defer { workspace.remove() }
        let before = try modelBytes()
        let image = images.appendingPathComponent("image_000.png").path
        let imageBytes = try Data(contentsOf: URL(fileURLWithPath: image))
        let output = folder.appendingPathComponent("q.xml").path
        let cases: [([String], String)] = [
            (["--save-stats", model], "Error: \(model): is the input model: --save-stats would replace it"),
            (["--save-stats", IRFiles.weightsPath(for: model)], "is the input model's weights: --save-stats would replace it"),
            (["--save-stats", image], "exists and is not a calib statistics file: --save-stats would replace it; name another file"),
            (["--save-stats", output], "Error: \(output): is the output IR: --save-stats would replace it"),
            (["--workers", "1", "--journal", IRFiles.weightsPath(for: output)], "is the output IR's weights: --journal would replace it"),
            (["--workers", "1", "--journal", model], "is the input model: --journal would replace it"),
            (["--workers", "1", "--journal", image], "exists and is not a calib result journal: --journal would replace it"),
        ]
        for (extra, message) in cases {
            let refused = try run(output: output, extra: extra)
            #expect(refused.exitedNormally && refused.status != 0, "\(extra)")
            #expect(refused.standardError.contains(message), "\(extra): \(refused.standardError)")
            #expect(!refused.standardError.contains("statistics ["), "refused before reading images")
        }
        for name in ["", image] {
            let refused = try run(output: name)
            #expect(refused.standardError.contains("--output names the .xml file of the int8 IR (the .bin goes next to it)"))
        }
        #expect(try modelBytes() == before)
        #expect(try Data(contentsOf: URL(fileURLWithPath: image)) == imageBytes)
        #expect(!FileManager.default.fileExists(atPath: output))
    }
}
