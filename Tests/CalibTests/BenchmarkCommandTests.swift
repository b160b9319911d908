import Foundation
import Testing

/// `calib benchmark`: each mode timed between passes of plain inference, and with
/// `--profile` the per-node-type table of plain against probed inference.
@Suite(.serialized) struct BenchmarkCommandTests {
    @Test func eachModeIsTimedOncePerRoundBetweenPlainPasses() throws {
        let workspace = try TinyWorkspace(images: 2)
        defer { workspace.remove() }
        let model = try workspace.write(TinyModels.convolutions(), as: "fp32.xml")
        let outcome = try CalibProcess.run(["benchmark", "--model", model, "--data", workspace.images.path, "--threads", "1", "--rounds", "3"])
        try #require(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        // 3 rounds of 3 modes, each pass followed by a plain pass, after a first one.
        #expect(lines.contains { $0.hasPrefix("plain FP32 inference:") && $0.contains("median of 10 passes") }, "\(lines)")
        for label in ["collection, extremes:", "collection, histograms:", "whole tensors, no stats:"] {
            let line = try #require(lines.first { $0.hasPrefix(label) }, "\(lines)")
            let rounds = try #require(line.firstMatch(of: /each round's: ([0-9., ]+)\)/)?.1)
            #expect(rounds.split(separator: ",").count == 3, "\(line)")
        }
        #expect(outcome.standardOutput.contains("identical in both collections"))
    }

    @Test func noRoundsIsRefused() throws {
        let outcome = try CalibProcess.run(["benchmark", "--model", "m.xml", "--data", ".", "--rounds", "0"])
        #expect(outcome.status == 64)
        #expect(outcome.standardError.contains("--rounds must be at least 1, not 0"), "\(outcome.standardError)")
    }

    @Test func theProfileTableListsNodeTypesWithTheProbesReorders() throws {
        let workspace = try TinyWorkspace(images: 2)
        defer { workspace.remove() }
        let model = try workspace.write(TinyModels.convolutions(), as: "fp32.xml")
        let outcome = try CalibProcess.run(["benchmark", "--model", model, "--data", workspace.images.path, "--threads", "1", "--profile"])
        try #require(outcome.status == 0, "\(outcome.standardError)")
        let lines = outcome.standardOutput.split(separator: "\n").map(String.init)
        let header = try #require(lines.firstIndex { $0.hasPrefix("node type") })
        let table = lines[(header + 1)...]
        let convolution = try #require(table.first { $0.hasPrefix("Convolution") })
        // Both convolutions run in each model; the plain model's count comes first.
        #expect(convolution.split(separator: " ").dropFirst().first == "2", "\(convolution)")
        #expect(table.last?.hasPrefix("all") == true)
        #expect(outcome.standardOutput.contains("mean over 2 images"))
    }
}
