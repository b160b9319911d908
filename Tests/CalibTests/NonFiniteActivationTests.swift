import Core
import Foundation
import Testing
import Worker

/// Activations that are not numbers: NaN and infinities are left out of every
/// statistic and counted, the summary names the tensors that had them, and no method
/// or preset ever writes a non-finite FakeQuantize limit (OpenVINO compiles every output).
@Suite(.serialized) struct NonFiniteActivationTests {
    let workspace: TinyWorkspace
    let images: URL

    init() throws {
        workspace = try TinyWorkspace(images: 3)
        images = workspace.images
    }

    @Test func everyMethodAndPresetWritesFiniteLimitsThatOpenVINOCompiles() throws {
        defer { workspace.remove() }
        let model = try workspace.write(TinyModels.reciprocal(), as: "reciprocal.xml")
        let stats = workspace.path("stats.bin")
        let collected = try CalibProcess.run([
            "run", "--model", model, "--data", images.path, "--output", workspace.path("q.xml"),
            "--save-stats", stats, "--threads", "1",
        ])
        try #require(collected.status == 0, "\(collected.standardError)")
        // Per image, 1/0 for the 8x8 black corner in 3 channels (192) and the 16 zero
        // green or blue values on the first column and row outside it: 3 * 208.
        #expect(collected.standardOutput.contains("non-finite activations, left out of the statistics (2 tensors):"))
        #expect(collected.standardOutput.contains("    reciprocal: 0 NaN, 624 infinite"), "\(collected.standardOutput)")
        let statistics = try CalibrationStatistics(decoding: AtomicFile.read(stats))
        let afterFirstConvolution = try #require(statistics.nonFiniteCounts.last)
        #expect(afterFirstConvolution.tensor == "act1" && afterFirstConvolution.nan + afterFirstConvolution.infinite > 0)

        let runtime = try OpenVINORuntime()
        for method in CalibrationMethod.allCases {
            for preset in QuantizationPreset.allCases {
                let output = workspace.path("q_\(method)_\(preset).xml")
                let run = try CalibProcess.run([
                    "run", "--model", model, "--load-stats", stats, "--output", output, "--method", method.rawValue,
                    "--preset", preset.rawValue,
                ])
                try #require(run.status == 0, "\(method) \(preset): \(run.standardError)")
                let ranges = (run.standardOutput.components(separatedBy: "ranges (low .. high):").last ?? "")
                    .components(separatedBy: "\ncalibrated ").first ?? ""
                #expect(!ranges.lowercased().contains("inf") && !ranges.lowercased().contains("nan"), "\(method) \(preset): \(ranges)")
                let quantized = try IRFiles.read(xmlPath: output)
                for layer in quantized.layers(ofType: "FakeQuantize") {
                    for port in 1...4 {
                        let source = quantized.producer(of: PortReference(layer: layer.id, port: port))
                        let limit = try #require(source)
                        let values = try quantized.constView(limit.layer).floats(in: quantized.weights)
                        let finite = values.allSatisfy { $0.isFinite }
                        #expect(finite, "\(method) \(preset) \(layer.name) input \(port): \(values)")
                    }
                }
                // OpenVINO refuses an FQ with infinite limits; every output must compile.
                _ = try FP32Inference(graph: quantized, runtime: runtime, threads: 1)
            }
        }
    }

    @Test func aTensorWithoutAnyFiniteValueIsAnErrorNamingIt() throws {
        defer { workspace.remove() }
        let model = try workspace.write(TinyModels.allNaN(), as: "nan.xml")
        let output = workspace.path("q.xml")
        let run = try CalibProcess.run(["run", "--model", model, "--data", images.path, "--output", output, "--threads", "1"])
        #expect(run.exitedNormally && run.status != 0)
        #expect(
            run.standardError.contains(
                "tensor nan has no finite value in any calibration image (2304 NaN, 0 infinite): no range can be picked"),
            "\(run.standardError)")
        #expect(!FileManager.default.fileExists(atPath: output))
    }

    @Test func inferActivationsShowsNonFiniteCountsInsteadOfTrapping() throws {
        defer { workspace.remove() }
        let model = try workspace.write(TinyModels.reciprocal(), as: "reciprocal.xml")
        let run = try CalibProcess.run(["infer", "--model", model, "--data", images.path, "--activations", "--threads", "1"])
        #expect(run.exitedNormally && run.status == 0, "\(run.standardError)")
        let row = try #require(run.standardOutput.split(separator: "\n").first { $0.hasPrefix("reciprocal ") })
        #expect(row.hasSuffix("(624 NaN/inf)"), "\(row)")
    }
}
