import Foundation
import Testing

/// `calib benchmark --profile`: the per-node-type table of plain against probed inference.
@Suite(.serialized) struct BenchmarkProfileTests {
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
