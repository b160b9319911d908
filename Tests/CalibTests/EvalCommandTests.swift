import Core
import Foundation
import Testing

@testable import Worker

/// `calib eval` as a user runs it: an int8 IR against its FP32 reference.
@Suite(.serialized) struct EvalCommandTests {
    /// The tiny network with a classifier head: conv → ReLU → mean → MatMul `[8, 10]`.
    private func classifier(size: Int = 16) -> IRGraph {
        var builder = GraphBuilder(name: "classifier")
        let image = builder.parameter(name: "image", dims: [1, 3, size, size])
        var generator = SeededGenerator(seed: 3)
        let weights = builder.floatConstant(name: "w", dims: [8, 3, 3, 3], values: (0..<216).map { _ in Float(generator.unit() - 0.5) / 64 })
        let features = builder.unary("Relu", builder.convolution(image, weights: weights, bias: nil, stride: 1, padding: 1, name: "conv"), name: "relu")
        let pooled = builder.reshape(builder.reduceMean(features, axes: [2, 3], name: "pool"), to: [1, 8], name: "flatten")
        let head = builder.floatConstant(name: "fc.w", dims: [8, 10], values: (0..<80).map { _ in Float(generator.unit() - 0.5) })
        builder.result(builder.matMul(pooled, weights: head, transposeB: false, name: "fc"), name: "logits")
        return builder.graph
    }

    @Test func reportsSQNRTopOneAndLatencyAsTextAndJSON() throws {
        let workspace = try TinyWorkspace(images: 3)
        defer { workspace.remove() }
        let model = try workspace.write(classifier(), as: "fp32.xml")
        let int8 = workspace.path("int8.xml")
        let calibrated = try CalibProcess.run(["run", "--model", model, "--data", workspace.images.path, "--output", int8], timeout: 60)
        try #require(calibrated.status == 0, "\(calibrated.standardError)")
        let common = ["eval", "--data", workspace.images.path, "--threads", "1"]

        let text = try CalibProcess.run(common + ["--reference", model, "--model", int8], timeout: 60)
        #expect(text.status == 0, "\(text.standardError)")
        #expect(text.standardOutput.hasPrefix("evaluated 3 images: int8 \(int8) against FP32 \(model)"))
        #expect(text.standardOutput.contains("speed-up"))
        let row = try #require(text.standardOutput.split(separator: "\n").first { $0.hasPrefix("  logits") })
        #expect(row.hasSuffix("%"), "a [1,10] output gets a top-1 agreement: \(row)")

        let json = try CalibProcess.run(common + ["--reference", model, "--model", int8, "--json"], timeout: 60)
        #expect(json.status == 0, "\(json.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let tensors = try #require(report["tensors"] as? [[String: Any]])
        #expect(tensors.count == 1 && tensors[0]["name"] as? String == "logits")
        let sqnr = try #require(tensors[0]["sqnr"] as? Double)
        #expect(sqnr > 10 && sqnr < 100, "int8 is close but not identical: \(sqnr) dB")
        let top1 = try #require(tensors[0]["top1Agreement"] as? Double)
        #expect((0...1).contains(top1))
        #expect(report["images"] as? Int == 3)

        // The reference against itself: no noise at all.
        let same = try CalibProcess.run(common + ["--reference", model, "--model", model, "--json"], timeout: 60)
        #expect(same.standardOutput.contains("\"sqnr\" : \"inf\""), "\(same.standardOutput)")

        // The two swapped: it runs, and says what looks wrong.
        let swapped = try CalibProcess.run(common + ["--reference", int8, "--model", model], timeout: 60)
        #expect(swapped.status == 0, "\(swapped.standardError)")
        #expect(swapped.standardError.contains("has FakeQuantize layers and \(model) none: are --reference and --model swapped?"))
    }

    @Test func modelsWithOtherInputsAreRefusedNamingBoth() throws {
        let workspace = try TinyWorkspace(images: 1)
        defer { workspace.remove() }
        let reference = try workspace.write(classifier(size: 24), as: "a.xml")
        let model = try workspace.write(classifier(), as: "b.xml")
        let run = try CalibProcess.run(["eval", "--reference", reference, "--model", model, "--data", workspace.images.path], timeout: 60)
        #expect(run.exitedNormally && run.status != 0)
        #expect(run.standardError.contains(
            "\(model) takes input [1, 3, 16, 16] but the reference \(reference) takes [1, 3, 24, 24]"), "\(run.standardError)")
    }

    @Test func aDetectorIsComparedBeforeNMSAndByDetectionAgreement() throws {
        let workspace = try TinyWorkspace(images: 2)
        defer { workspace.remove() }
        let model = try workspace.write(SSDResNet34(resolution: 300).makeGraph(), as: "ssd300.xml")
        let int8 = workspace.path("int8.xml")
        let calibrated = try CalibProcess.run(
            ["run", "--model", model, "--data", workspace.images.path, "--output", int8, "--threads", "2"], timeout: 300)
        try #require(calibrated.status == 0, "\(calibrated.standardError)")
        let json = try CalibProcess.run(
            ["eval", "--reference", model, "--model", int8, "--data", workspace.images.path, "--threads", "2", "--json"], timeout: 300)
        #expect(json.status == 0, "\(json.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8)) as? [String: Any])
        let tensors = try #require(report["tensors"] as? [[String: Any]])
        let beforeNMS = tensors.filter { $0["feedsNonMaxSuppression"] as? Bool == true }.compactMap { $0["name"] as? String }
        #expect(beforeNMS == ["nms boxes", "nms scores"])
        let agreement = try #require(report["detectionAgreement"] as? Double)
        #expect(agreement > 0.5 && agreement <= 1, "\(agreement)")
        // Against itself the detections agree exactly.
        let same = try CalibProcess.run(
            ["eval", "--reference", model, "--model", model, "--data", workspace.images.path, "--threads", "2", "--json"], timeout: 300)
        let itself = try #require(try JSONSerialization.jsonObject(with: Data(same.standardOutput.utf8)) as? [String: Any])
        #expect(itself["detectionAgreement"] as? Double == 1)

        // Annotations made of the FP32 model's own detections (the best 100 of a class per
        // image, labels 1...80 as COCO's sparse ids, boxes in pixels): FP32 scores 1.
        let categoryIDs = Array((1...90).filter { ![12, 26, 29, 30, 45, 66, 68, 69, 71, 83].contains($0) })
        let graph = try IRFiles.read(xmlPath: model)
        let inference = try FP32Inference(graph: graph, runtime: OpenVINORuntime(), threads: 2)
        let positions = try #require(EvaluationRun.detectionOutputs(graph))
        let dataset = try CalibrationDataset(folder: workspace.images)
        var images = [[String: Any]]()
        var annotations = [[String: Any]]()
        for index in 0..<dataset.count {
            let image = try dataset.image(at: index, reader: .pillow)
            images.append(["id": index + 7, "file_name": dataset.names[index], "width": image.width, "height": image.height])
            let values = try dataset.values(at: index, for: inference.input, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow)
            let found = EvaluationRun.detections(try inference.infer(values), at: positions)
            for (_, group) in Dictionary(grouping: found, by: \.label) {
                for detection in group.sorted(by: { $0.score > $1.score }).prefix(100) {
                    let (x, y) = (detection.x0 * Double(image.width), detection.y0 * Double(image.height))
                    annotations.append([
                        "image_id": index + 7, "category_id": categoryIDs[detection.label - 1], "iscrowd": 0,
                        "bbox": [x, y, detection.x1 * Double(image.width) - x, detection.y1 * Double(image.height) - y],
                    ])
                }
            }
        }
        let instances = workspace.path("instances.json")
        try JSONSerialization.data(withJSONObject: [
            "images": images, "annotations": annotations, "categories": categoryIDs.map { ["id": $0] },
        ]).write(to: URL(fileURLWithPath: instances))
        let scored = try CalibProcess.run(
            ["eval", "--reference", model, "--model", int8, "--data", workspace.images.path, "--threads", "2", "--json",
             "--annotations", instances], timeout: 300)
        #expect(scored.status == 0, "\(scored.standardError)")
        let report2 = try #require(try JSONSerialization.jsonObject(with: Data(scored.standardOutput.utf8)) as? [String: Any])
        let coco = try #require(report2["cocoMeanAveragePrecision"] as? [String: Any])
        let fp32 = try #require(coco["reference"] as? Double)
        #expect(abs(fp32 - 1) < 1e-9, "\(fp32)")
        let int8Score = try #require(coco["model"] as? Double)
        #expect(abs(int8Score - agreement) < 1e-9, "int8 against FP32's detections, in pixels and sparse ids")
    }

    @Test func modelsWithOtherOutputsAreRefused() throws {
        let workspace = try TinyWorkspace(images: 1)
        defer { workspace.remove() }
        let first = try workspace.write(classifier(), as: "a.xml")
        let second = try workspace.write(TinyModels.convolutions(), as: "b.xml")
        let run = try CalibProcess.run(
            ["eval", "--reference", first, "--model", second, "--data", workspace.images.path], timeout: 60)
        #expect(run.exitedNormally && run.status != 0)
        #expect(run.standardError.contains("the models do not have the same outputs: [\"logits\"] and [\"out\"]"), "\(run.standardError)")
    }
}
