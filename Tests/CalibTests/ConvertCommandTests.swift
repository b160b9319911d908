import Core
import Foundation
import Testing
import Worker

/// `calib convert` as a user of the seed runs it: the project's own ONNX of the example
/// network and two networks with real pretrained weights from PyPI packages
/// (`scripts/pretrained-models.sh`) become IRs that calib calibrates.
@Suite(.serialized) struct ConvertCommandTests {
    static let seedOptions = [
        "--input", "image", "--input-shape", "1,3,300,300", "--mean-values", "123.675,116.28,103.53",
        "--scale-values", "58.395,57.12,57.375",
    ]
    static let pretrained = CalibProcess.packageRoot.appendingPathComponent(".deps/pretrained")

    /// Detections `(label, score, box)` of one image, sorted, from the outputs bboxes, labels, scores.
    private func detections(_ outputs: [TensorView]) throws -> [(label: Double, score: Double, box: [Double])] {
        let boxes = outputs[0].doubles()
        let labels = outputs[1].doubles()
        let scores = outputs[2].doubles()
        return labels.indices.map { (labels[$0], scores[$0], Array(boxes[4 * $0..<4 * $0 + 4])) }
            .sorted { ($0.score, $0.label, $0.box[0], $0.box[1]) > ($1.score, $1.label, $1.box[0], $1.box[1]) }
    }

    @Test func theExampleONNXConvertedWithTheSeedOptionsDetectsWhatTheExampleIRDetects() throws {
        let workspace = try TinyWorkspace(images: 0)
        defer { workspace.remove() }
        for (output, extra) in [("example.onnx", []), ("example.xml", [])] as [(String, [String])] {
            let made = try CalibProcess.run(["example-model", "--resolution", "300", "--output", workspace.path(output)] + extra)
            try #require(made.status == 0, "\(made.standardError)")
        }
        let converted = workspace.path("converted.xml")
        let outcome = try CalibProcess.run(["convert", workspace.path("example.onnx"), "--output", converted] + Self.seedOptions)
        try #require(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("input image [1,3,300,300] f32"), "\(outcome.standardOutput)")

        // The mean is subtracted first; OpenVINO's conversion passes fold the Multiply by
        // 1/scale into the first convolution's weights.
        let graph = try IRFiles.read(xmlPath: converted)
        let input = try #require(graph.layers(ofType: "Parameter").first)
        let first = try #require(graph.consumers(of: PortReference(layer: input.id, port: input.outputs[0].id)).first)
        let subtract = try #require(graph.layer(first.layer))
        #expect(subtract.type == "Subtract")
        let mean = try #require(graph.producer(of: PortReference(layer: subtract.id, port: subtract.inputs[1].id)))
        #expect(try graph.constView(mean.layer).floats(in: graph.weights) == [123.675, 116.28, 103.53])
        let next = try #require(graph.consumers(of: PortReference(layer: subtract.id, port: subtract.outputs[0].id)).first)
        #expect(graph.layer(next.layer)?.name == "backbone.conv1/conv")

        let runtime = try OpenVINORuntime()
        let reference = try FP32Inference(graph: try IRFiles.read(xmlPath: workspace.path("example.xml")), runtime: runtime, threads: 2)
        let candidate = try FP32Inference(graph: graph, runtime: runtime, threads: 2)
        let photos = workspace.folder.appendingPathComponent("photos")
        try FileManager.default.createDirectory(at: photos, withIntermediateDirectories: true)
        _ = try ExampleImageWriter(directory: photos).write(count: 2)
        let dataset = try CalibrationDataset(folder: photos)
        for index in 0..<dataset.count {
            let pixels = try dataset.tensor(at: index, resolution: 300, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow)
            let expected = try detections(try reference.infer(pixels))
            let found = try detections(try candidate.infer(pixels))
            #expect(!expected.isEmpty && found.count == expected.count, "image \(index): \(found.count) vs \(expected.count)")
            for (mine, theirs) in zip(found, expected) {
                #expect(mine.label == theirs.label && abs(mine.score - theirs.score) < 1e-4, "image \(index)")
                #expect(zip(mine.box, theirs.box).allSatisfy { abs($0 - $1) < 1e-3 }, "image \(index): \(mine.box) vs \(theirs.box)")
            }
        }
    }

    @Test func fp16StoresTheWeightsAsHalfPrecisionConstants() throws {
        let workspace = try TinyWorkspace(images: 0)
        defer { workspace.remove() }
        let made = try CalibProcess.run(["example-model", "--resolution", "300", "--output", workspace.path("example.onnx")])
        try #require(made.status == 0, "\(made.standardError)")
        let converted = workspace.path("fp16.xml")
        let outcome = try CalibProcess.run(["convert", workspace.path("example.onnx"), "--output", converted, "--fp16"] + Self.seedOptions)
        try #require(outcome.status == 0, "\(outcome.standardError)")
        #expect(outcome.standardOutput.contains("FP16 weights"))
        let graph = try IRFiles.read(xmlPath: converted)
        let halves = graph.layers(ofType: "Const").filter { $0.attribute("element_type") == "f16" }
        #expect(halves.count >= 50, "every convolution's weights: \(halves.count)")
        #expect(halves.allSatisfy { layer in
            graph.consumers(of: PortReference(layer: layer.id, port: layer.outputs[0].id)).allSatisfy { graph.layer($0.layer)?.type == "Convert" }
        })
    }

    @Test(arguments: [
        ("ppocr-det.onnx", ["--input-shape", "1,3,96,96", "--mean-values", "123.675,116.28,103.53", "--scale-values", "58.395,57.12,57.375"]),
        ("blazeface.tflite", ["--mean-values", "127.5,127.5,127.5", "--scale-values", "127.5,127.5,127.5"]),
    ])
    func pretrainedNetworksFromPyPIConvertAndCalibrate(model: String, options: [String]) throws {
        let source = Self.pretrained.appendingPathComponent(model).path
        try #require(FileManager.default.fileExists(atPath: source), "\(source) is missing: run scripts/pretrained-models.sh")
        let workspace = try TinyWorkspace(images: 2)
        defer { workspace.remove() }
        let converted = workspace.path("fp32.xml")
        let conversion = try CalibProcess.run(["convert", source, "--output", converted] + options)
        try #require(conversion.status == 0, "\(conversion.standardError)")
        let int8 = workspace.path("int8.xml")
        let run = try CalibProcess.run(["run", "--model", converted, "--data", workspace.images.path, "--output", int8, "--threads", "2"])
        try #require(run.status == 0, "\(run.standardError)")
        let graph = try IRFiles.read(xmlPath: int8)
        #expect(graph.layers(ofType: "FakeQuantize").count >= 10, "\(model)")
        #expect(graph.layers(ofType: "Const").contains { $0.attribute("element_type") == "i8" }, "int8 weights in \(model)")
    }

    @Test func badInputsAreOneLineErrorsNamingTheFile() throws {
        let workspace = try TinyWorkspace(images: 0)
        defer { workspace.remove() }
        let onnx = workspace.path("example.onnx")
        let made = try CalibProcess.run(["example-model", "--resolution", "300", "--output", onnx])
        try #require(made.status == 0, "\(made.standardError)")
        let notes = workspace.path("notes.txt")
        try Data("not a model".utf8).write(to: URL(fileURLWithPath: notes))
        let corrupt = workspace.path("corrupt.onnx")
        try Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 7) }).write(to: URL(fileURLWithPath: corrupt))
        let output = workspace.path("out.xml")
        let cases: [([String], String)] = [
            (["convert", workspace.path("missing.onnx"), "--output", output], "missing.onnx: no such file"),
            (["convert", notes, "--output", output], "notes.txt: is not a model calib can convert"),
            (["convert", corrupt, "--output", output], "corrupt.onnx: OpenVINO cannot convert it"),
            (["convert", onnx, "--output", output, "--mean-values", "1,2"], "input shape [1,3,300,300] has no axis 1 or 3 of 2 channels"),
            (["convert", onnx, "--output", output, "--input", "pixels"], "no input named 'pixels'; its inputs: image"),
            (["convert", onnx, "--output", output, "--layout", "NHWC", "--reverse-input-channels"], "--reverse-input-channels needs 3 channels"),
            (["convert", onnx, "--output", output, "--scale-values", "1e-45,1,1"], "whose inverse overflows a float"),
            (["convert", onnx, "--output", output, "--mean-values", "1,2", "--layout", "NCHW"], "has 3 channels but 2 mean/scale values"),
            (["convert", onnx, "--output", output, "--input", "pixels", "--input-shape", "1,3,64,64"], "no input named 'pixels'; its inputs: image"),
            (["convert", onnx, "--output", workspace.path("out.bin")], "names the .xml file"),
            (["convert", onnx, "--output", output, "--scale-values", "1,0,1"], "--scale-values must not contain 0"),
            (["convert", onnx, "--output", output, "--mean-values", "1,x,3"], "--mean-values takes numbers"),
            (["convert", onnx, "--output", output, "--input-shape", "1,3,300"], "the input 'image' has 4 dimensions ([1,3,300,300]), --input-shape gives 3"),
            (["convert", onnx, "--output", output, "--layout", "NHWC"],
             "--layout NHWC does not fit the converted model: the input 'image'"),
        ]
        for (arguments, message) in cases {
            let outcome = try CalibProcess.run(arguments)
            #expect(outcome.status != 0 && outcome.exitedNormally, "\(arguments)")
            let lines = outcome.standardError.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(lines.count == 1 && lines[0].contains(message), "\(arguments): \(outcome.standardError)")
            #expect(!FileManager.default.fileExists(atPath: output), "nothing written for \(arguments)")
        }
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: workspace.folder.path).filter { $0.hasPrefix(".calib") }
        #expect(leftovers.isEmpty, "scratch folders removed: \(leftovers)")
    }
}
