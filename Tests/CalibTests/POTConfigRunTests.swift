import Core
import Foundation
import Testing
import Worker

/// The seed's last step, `pot -c CONFIG.json --output-dir results`, as `calib run -c`: the
/// example model and images named after MLPerf's calibration list, a COCO instances file
/// `calib example-images` writes, and a configuration of the seed's shape.
@Suite(.serialized) struct POTConfigRunTests {
    /// The first names of MLPerf's `coco_cal_images_list.txt`.
    static let calibrationNames = ["000000391895.jpg", "000000522418.jpg", "000000184613.jpg", "000000318219.jpg", "000000554625.jpg"]

    /// A folder with `FP16/ssd.xml` (the 300 example), `train2017/` images, `annotations/`
    /// (cali.txt and the instances file) and `config.json` made by `edit` from the seed's shape.
    private func seedFolder(edit: (String) -> String = { $0 }) throws -> TinyWorkspace {
        let workspace = try TinyWorkspace(images: 0)
        let folder = workspace.folder
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("annotations"), withIntermediateDirectories: true)
        try Data((Self.calibrationNames.joined(separator: "\n") + "\n").utf8)
            .write(to: folder.appendingPathComponent("annotations/cali.txt"))
        for arguments in [
            ["example-model", "--resolution", "300", "--fp16", "--output", workspace.path("FP16/ssd.xml")],
            ["example-images", "--count", "5", "--output", workspace.path("train2017"), "--names", workspace.path("annotations/cali.txt"),
             "--instances", workspace.path("annotations/instances.json")],
        ] {
            if arguments[0] == "example-model" {
                try FileManager.default.createDirectory(at: folder.appendingPathComponent("FP16"), withIntermediateDirectories: true)
            }
            let outcome = try CalibProcess.run(arguments)
            try #require(outcome.status == 0, "\(outcome.standardError)")
        }
        let config = edit(
            """
            {
                "model": {"model_name": "ssd_int8", "model": "\(workspace.path("FP16/ssd.xml"))",
                          "weights": "\(workspace.path("FP16/ssd.bin"))"},
                "engine": {
                    "launchers": [{"framework": "dlsdk", "adapter": {"type": "ssd_onnx"}}],
                    "datasets": [{
                        "name": "COCO2017_80cl_bkgr_mlperf_list",
                        "reader": "pillow_imread",
                        "annotation_conversion": {"converter": "mscoco_detection", "has_background": true,
                                                  "annotation_file": "\(workspace.path("annotations/instances.json"))"},
                        "data_source": "\(workspace.path("train2017"))",
                        "preprocessing": [{"type": "resize", "size": 300, "interpolation": "CUBIC"}],
                        "metrics": [{"type": "coco_precision"}], // evaluation only
                    }]
                },
                "compression": {"target_device": "CPU", "algorithms": [{"name": "DefaultQuantization",
                    "params": {"stat_subset_size": 4, "preset": "performance", "ignored": {"scope": ["Mul_490", "Add_labels"]}}}]},
            }
            """)
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
        return workspace
    }

    @Test func aSeedConfigurationGivesTheBytesOfTheSameFlags() throws {
        let workspace = try seedFolder()
        defer { workspace.remove() }
        let configured = try CalibProcess.run(["run", "-c", workspace.path("config.json"), "--output-dir", workspace.path("results")])
        try #require(configured.status == 0, "\(configured.standardError)")
        #expect(configured.standardError.contains("ignored.scope names not in the model, left out: Mul_490"))
        try FileManager.default.createDirectory(atPath: workspace.path("flags"), withIntermediateDirectories: true)
        let flags = try CalibProcess.run([
            "run", "--model", workspace.path("FP16/ssd.xml"), "--data", workspace.path("train2017"), "--annotations",
            workspace.path("annotations/instances.json"), "--subset", "4", "--reader", "pillow", "--interpolation", "bicubic",
            "--ignored", "Add_labels", "--output", workspace.path("flags/ssd_int8.xml"),
        ])
        try #require(flags.status == 0, "\(flags.standardError)")
        for suffix in ["xml", "bin"] {
            let fromConfig = try AtomicFile.read(workspace.path("results/optimized/ssd_int8.\(suffix)"))
            let fromFlags = try AtomicFile.read(workspace.path("flags/ssd_int8.\(suffix)"))
            #expect(fromConfig == fromFlags, ".\(suffix) differs")
        }
        // The images in the instances file's order (ascending id), the first four of them.
        #expect(configured.standardOutput.contains("calibrated 4 images"))

        // calib eval -c: the configuration's model is the reference; all five images run.
        let evaluated = try CalibProcess.run([
            "eval", "-c", workspace.path("config.json"), "--model", workspace.path("results/optimized/ssd_int8.xml"), "--json",
            "--threads", "2",
        ])
        try #require(evaluated.status == 0, "\(evaluated.standardError)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(evaluated.standardOutput.utf8)) as? [String: Any])
        #expect(report["images"] as? Int == 5)
        #expect(report["cocoMeanAveragePrecision"] != nil, "scored against the configuration's annotation file")
    }

    @Test func theInstancesFileOrdersByIdAndHoldsTheListsImages() throws {
        let workspace = try seedFolder()
        defer { workspace.remove() }
        let instances = try COCOInstances(path: workspace.path("annotations/instances.json"))
        #expect(Set(instances.calibrationOrder) == Set(Self.calibrationNames))
        #expect(instances.calibrationOrder == Self.calibrationNames.sorted())
        #expect(instances.groundTruth.values.allSatisfy { !$0.isEmpty }, "every image has the boxes of its shapes")
    }

    @Test func badConfigurationsAreOneLineErrors() throws {
        let cases: [(edit: (String) -> String, extra: [String], message: String)] = [
            ({ $0.replacingOccurrences(of: "\"DefaultQuantization\"", with: "\"AccuracyAwareQuantization\"") }, [],
             "compression.algorithms[0].name = \"AccuracyAwareQuantization\""),
            ({ $0.replacingOccurrences(of: "FP16/ssd.bin", with: "FP16/other.bin") }, [], "is not the .bin of model.model"),
            ({ $0.replacingOccurrences(of: "\"size\": 300", with: "\"size\": 1200") }, [],
             "preprocessing resizes to 1200x1200 but the model takes 300x300"),
            ({ $0 }, ["--method", "kl"], "--method cannot be given with -c"),
            ({ $0.replacingOccurrences(of: "FP16/ssd.", with: "FP16/missing.") }, [], "config.json: model.model: "),
        ]
        for (edit, extra, message) in cases {
            let workspace = try seedFolder(edit: edit)
            defer { workspace.remove() }
            let outcome = try CalibProcess.run(["run", "-c", workspace.path("config.json"), "--output-dir", workspace.path("results")] + extra)
            #expect(outcome.status != 0 && outcome.exitedNormally, "\(message)")
            let lines = outcome.standardError.split(separator: "\n").filter { $0.hasPrefix("Error:") }
            #expect(lines.count == 1 && lines[0].contains(message), "\(message): \(outcome.standardError)")
            #expect(!FileManager.default.fileExists(atPath: workspace.path("results")), "no empty output folders left: \(message)")
        }
        let workspace = try seedFolder()
        defer { workspace.remove() }
        try Data("x".utf8).write(to: URL(fileURLWithPath: workspace.path("afile")))
        let onFile = try CalibProcess.run(["run", "-c", workspace.path("config.json"), "--output-dir", workspace.path("afile")])
        #expect(onFile.status != 0 && onFile.standardError.contains("is a file; --output-dir names the folder"), "\(onFile.standardError)")
    }

    @Test func anInstancesFileNamingMissingImagesIsOneErrorListingThem() throws {
        let workspace = try seedFolder()
        defer { workspace.remove() }
        for name in Self.calibrationNames.prefix(2) {
            try FileManager.default.removeItem(atPath: workspace.path("train2017/\(name)"))
        }
        let outcome = try CalibProcess.run([
            "run", "--model", workspace.path("FP16/ssd.xml"), "--data", workspace.path("train2017"), "--annotations",
            workspace.path("annotations/instances.json"), "--output", workspace.path("out.xml"),
        ])
        #expect(outcome.status != 0)
        let lines = outcome.standardError.split(separator: "\n").filter { $0.hasPrefix("Error:") }
        #expect(lines.count == 1 && lines[0].contains("000000391895.jpg") && lines[0].contains("000000522418.jpg"), "\(outcome.standardError)")
        let both = try CalibProcess.run([
            "run", "--model", workspace.path("FP16/ssd.xml"), "--data", workspace.path("train2017"), "--annotations",
            workspace.path("annotations/instances.json"), "--list", workspace.path("annotations/cali.txt"), "--output", workspace.path("out.xml"),
        ])
        #expect(both.status != 0 && both.standardError.contains("give --list or --annotations, not both"), "\(both.standardError)")
    }
}
