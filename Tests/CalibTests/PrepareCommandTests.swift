import Core
import Foundation
import Testing
import Worker

/// `calib prepare --single-output`, the seed's `modify_onnx_model.py` on an IR.
@Suite(.serialized) struct PrepareCommandTests {
    @Test func theSingleOutputIsTheThreeOutputsSideBySide() throws {
        let workspace = try TinyWorkspace(images: 0)
        defer { workspace.remove() }
        let model = workspace.path("example.xml")
        let made = try CalibProcess.run(["example-model", "--resolution", "300", "--output", model])
        try #require(made.status == 0, "\(made.standardError)")
        let single = workspace.path("single.xml")
        let edited = try CalibProcess.run(["prepare", "--single-output", model, "--output", single])
        try #require(edited.status == 0, "\(edited.standardError)")

        let photos = workspace.folder.appendingPathComponent("photos")
        _ = try ExampleImageWriter(directory: photos).write(count: 1)
        let pixels = try CalibrationDataset(folder: photos).tensor(
            at: 0, resolution: 300, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow)
        let inference = try FP32Inference(graph: try IRFiles.read(xmlPath: single), runtime: try OpenVINORuntime(), threads: 2)
        let outputs = try inference.infer(pixels)
        try #require(outputs.count == 4)
        let boxes = outputs[0].doubles(), labels = outputs[1].doubles(), scores = outputs[2].doubles()
        let rows = outputs[3].doubles()
        #expect(outputs[3].shape == [1, labels.count, 7] && !labels.isEmpty)
        let expected = labels.indices.flatMap { Array(boxes[4 * $0..<4 * $0 + 4]) + [labels[$0], scores[$0], scores[$0]] }
        #expect(rows == expected)

        // A model without detection outputs, and an output that would replace the model.
        let again = try CalibProcess.run(["prepare", "--single-output", single, "--output", workspace.path("twice.xml")])
        #expect(again.status != 0 && again.standardError.contains("already has an output named 'output'"), "\(again.standardError)")
        let same = try CalibProcess.run(["prepare", "--single-output", model, "--output", model])
        #expect(same.status != 0 && same.standardError.contains("is the input model's file"), "\(same.standardError)")
    }
}
