import Core
import Foundation
import Testing
import Worker

/// `calib run` end to end, and its refusals: each bad input is one clear error and
/// leaves no output file behind.
@Suite(.serialized) struct RunCommandTests {
    let folder: URL
    let model: String
    let images: String
    let output: String

    init() throws {
        folder = try CalibProcess.scratchFolder()
        model = folder.appendingPathComponent("ssd300.xml").path
        images = folder.appendingPathComponent("images").path
        output = folder.appendingPathComponent("int8/ssd300_int8.xml").path
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("int8"), withIntermediateDirectories: true)
        try IRFiles.write(SSDResNet34(resolution: 300).makeGraph(), xmlPath: model)
        _ = try ExampleImageWriter(directory: URL(fileURLWithPath: images)).write(count: 2)
    }

    private var outputExists: Bool {
        FileManager.default.fileExists(atPath: output) || FileManager.default.fileExists(atPath: IRFiles.weightsPath(for: output))
    }

    @Test func calibratesWritesTheInt8IRAndRepicksFromSavedStatistics() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let stats = folder.appendingPathComponent("stats.bin").path
        let run = try CalibProcess.run([
            "run", "--model", model, "--data", images, "--output", output, "--threads", "2", "--save-stats", stats,
        ])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("calibrated 2 images, method pot, preset performance"))
        #expect(run.standardOutput.contains("weight tensors int8"))
        let report = String(output.dropLast(".xml".count)) + ".report.html"
        #expect(run.standardOutput.contains("  report: \(report) (ranges and a plot per tensor, for a browser)"))
        #expect(FileManager.default.fileExists(atPath: report))
        // 48 of 51 layers keep their bias here: five are named, the report has them all.
        let skipped = try #require(run.standardOutput.split(separator: "\n").first { $0.contains("bias correction skipped") })
        let names = try #require(skipped.components(separatedBy: "): ").last?.components(separatedBy: " and ").first)
        #expect(names.components(separatedBy: ", ").count == 5 && skipped.hasSuffix("more (all in the report)"), "\(skipped)")
        let quantized = try IRFiles.read(xmlPath: output)
        #expect(quantized.layers(ofType: "FakeQuantize").count > 40)
        // Ranges live in the .bin (FakeQuantize limits are Consts).
        let bin = URL(fileURLWithPath: IRFiles.weightsPath(for: output))
        let first = try Data(contentsOf: bin)
        // The same statistics give the same bytes without running inference again.
        let again = try CalibProcess.run(["run", "--model", model, "--load-stats", stats, "--output", output])
        #expect(again.status == 0, "\(again.standardError)")
        #expect(try Data(contentsOf: bin) == first)
        let kl = try CalibProcess.run([
            "run", "--model", model, "--load-stats", stats, "--output", output, "--method", "kl", "--preset", "mixed",
        ])
        #expect(kl.status == 0, "\(kl.standardError)")
        #expect(try Data(contentsOf: bin) != first)
    }

    @Test func anIgnoredNameThatDoesNotExistIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try CalibProcess.run([
            "run", "--model", model, "--data", images, "--output", output, "--ignored", "Mul_490",
        ])
        #expect(run.exitedNormally && run.status != 0)
        #expect(run.standardError.contains("the model has no layer named Mul_490 (ignored layers are named as in the IR's .xml)"))
        #expect(!outputExists)
        // A type is a notice, not an error: a list of types to leave out fits many models.
        let typed = try CalibProcess.run([
            "run", "--model", model, "--data", images, "--output", output, "--ignored-type", "Bogus", "--subset", "1",
        ])
        #expect(typed.status == 0, "\(typed.standardError)")
        #expect(typed.standardError.contains("--ignored-type: the model has no layer of type Bogus; nothing is left out for it"))
    }

    @Test func filesOfTheWrongKindSayWhatTheyAre() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let junk = folder.appendingPathComponent("junk.stats").path
        try Data("not statistics".utf8).write(to: URL(fileURLWithPath: junk))
        let stats = try CalibProcess.run(["run", "--model", model, "--load-stats", junk, "--output", output])
        #expect(stats.exitedNormally && stats.status != 0)
        #expect(stats.standardError.contains("Error: --load-stats \(junk): not a calib statistics file"), "\(stats.standardError)")
        let json = folder.appendingPathComponent("pot.json").path
        try Data("{\"model\": {}}".utf8).write(to: URL(fileURLWithPath: json))
        let config = try CalibProcess.run(["run", "--model", json, "--data", images, "--output", output])
        #expect(config.standardError.contains("(a JSON file; a POT configuration is given with -c)"), "\(config.standardError)")
        #expect(!outputExists)
    }

    @Test func anUnreadableImageMidRunStopsWithoutOutput() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let broken = URL(fileURLWithPath: images).appendingPathComponent("example_000001.jpg")
        try Data("not a JPEG".utf8).write(to: broken)
        let run = try CalibProcess.run(["run", "--model", model, "--data", images, "--output", output])
        #expect(run.exitedNormally && run.status != 0)
        #expect(run.standardError.contains("example_000001.jpg"))
        #expect(!outputExists)
    }

    @Test func aModelWithNoQuantizableOperationIsRefused() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        var builder = GraphBuilder(name: "plain")
        let image = builder.parameter(name: "image", dims: [1, 3, 32, 32])
        builder.result(builder.unary("Relu", image, name: "relu"), name: "out")
        let plain = folder.appendingPathComponent("plain.xml").path
        try IRFiles.write(builder.graph, xmlPath: plain)
        let run = try CalibProcess.run(["run", "--model", plain, "--data", images, "--output", output])
        #expect(run.exitedNormally && run.status != 0)
        #expect(run.standardError.contains("no quantizable operation"))
        #expect(!outputExists)
    }
}
