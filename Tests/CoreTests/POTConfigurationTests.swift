import Testing

@testable import Core

/// POT configuration files as users have them: comments, trailing commas, the seed's
/// keys, and every unsupported setting named in one error.
struct POTConfigurationTests {
    /// A configuration shaped like the seed's (`ssd_resnet34_1200_int8_simplified.json`),
    /// with comments and trailing commas as POT allows.
    static let seedLike = """
        {
            // the FP16 IR the Model Optimizer wrote
            "model": {"model_name": "ssd-resnet34_int8", "model": "FP16/ssd.xml", "weights": "FP16/ssd.bin",},
            "engine": {
                "launchers": [{"framework": "dlsdk", "adapter": {"type": "ssd_onnx", "scores_out": ".*scores.*"}}],
                "datasets": [{
                    "name": "COCO2017_80cl_bkgr_mlperf_list",
                    "reader": "pillow_imread",
                    "annotation_conversion": {
                        "converter": "mscoco_detection",
                        "annotation_file": "annotations/cali_instances_train2017.json", /* made from cali.txt */
                        "has_background": true,
                        "use_full_label_map": false,
                    },
                    "data_source": "/data/coco/train2017",
                    "preprocessing": [{"type": "resize", "size": 1200, "interpolation": "CUBIC"}],
                    "postprocessing": [{"type": "resize_prediction_boxes"}],
                    "metrics": [{"type": "coco_precision"}],
                }],
            },
            "compression": {
                "target_device": "CPU",
                "algorithms": [{
                    "name": "DefaultQuantization",
                    "params": {"stat_subset_size": 500, "preset": "performance", "ignored": {"scope": ["Mul_490", "Add_labels",]}},
                }],
            },
        }
        """

    @Test func theSeedsConfigurationReadsWithItsCommentsAndTrailingCommas() throws {
        let configuration = try POTConfiguration(text: Self.seedLike)
        #expect(configuration.modelName == "ssd-resnet34_int8")
        #expect(configuration.model == "FP16/ssd.xml" && configuration.weights == "FP16/ssd.bin")
        #expect(configuration.dataSource == "/data/coco/train2017")
        #expect(configuration.reader == .pillow && configuration.interpolation == .bicubic)
        #expect(configuration.resize?.width == 1200 && configuration.resize?.height == 1200)
        #expect(configuration.annotationFile == "annotations/cali_instances_train2017.json")
        #expect(configuration.preset == .performance && configuration.subsetSize == 500)
        #expect(configuration.ignoredNames == ["Mul_490", "Add_labels"] && configuration.ignoredTypes.isEmpty)
        #expect(configuration.biasCorrection && configuration.method == .pot)
    }

    @Test func everyUnsupportedSettingIsNamedInOneError() {
        let text = Self.seedLike
            .replacingOccurrences(of: "\"target_device\": \"CPU\"", with: "\"target_device\": \"GPU\"")
            .replacingOccurrences(
                of: "\"preset\": \"performance\",",
                with: "\"preset\": \"performance\", \"weights\": {\"bits\": 4}, \"activations\": {\"granularity\": \"perchannel\"},")
            .replacingOccurrences(
                of: "\"name\": \"DefaultQuantization\"", with: "\"name\": \"AccuracyAwareQuantization\"")
            .replacingOccurrences(of: "\"model_name\"", with: "\"model_type\": \"ssd\", \"model_name\"")
        #expect {
            try POTConfiguration(text: text)
        } throws: { error in
            guard case let .unsupported(keys) = error as? POTConfigurationError else { return false }
            let text = keys.joined(separator: "; ")
            return keys.count == 3 && text.contains("compression.target_device = \"GPU\"")
                && text.contains("compression.algorithms[0].name = \"AccuracyAwareQuantization\"")
                && text.contains("model.model_type = \"ssd\"")
        }
        let fourBit = Self.seedLike.replacingOccurrences(
            of: "\"preset\": \"performance\",",
            with: "\"preset\": \"performance\", \"weights\": {\"bits\": 4, \"mode\": \"symmetric\"}, \"activations\": {\"granularity\": \"perchannel\"},")
        #expect(
            throws: POTConfigurationError.unsupported([
                "compression.algorithms[0].params.weights.bits = 4",
                "compression.algorithms[0].params.activations.granularity = \"perchannel\"",
            ])
        ) { try POTConfiguration(text: fourBit) }
    }

    @Test func valuesOfTheWrongKindAreErrorsNotDefaults() {
        func refused(_ old: String, _ new: String) -> POTConfigurationError? {
            do {
                _ = try POTConfiguration(text: Self.seedLike.replacingOccurrences(of: old, with: new))
                return nil
            } catch {
                return error
            }
        }
        let preset = "\"preset\": \"performance\","
        #expect(refused(preset, preset + " \"use_fast_bias\": \"false\",")
            == .invalid(key: "compression.algorithms[0].params.use_fast_bias", reason: "must be true or false, not \"false\""))
        #expect(refused("\"reader\": \"pillow_imread\"", "\"reader\": 5")
            == .invalid(key: "engine.datasets[0].reader", reason: "must be a string, not 5"))
        #expect(refused(preset, preset + " \"range_estimator\": \"minmax\",")
            == .invalid(key: "compression.algorithms[0].params.range_estimator", reason: "must be an object, not \"minmax\""))
        #expect(refused(preset, preset + " \"weights\": {\"levels\": 1e20}, \"target_device\": \"GPU\",")
            == .unsupported([
                "compression.algorithms[0].params.target_device = \"GPU\"", "compression.algorithms[0].params.weights.levels = 1e+20",
            ]))
        #expect(refused("\"ssd-resnet34_int8\"", "\"../../FP16/ssd\"")?.description.contains("must be a plain file name") == true)
        let noAlgorithm = """
            {"model": {"model_name": "m", "model": "m.xml", "weights": "m.bin"},
             "engine": {"datasets": [{"data_source": "images"}]}, "compression": {"algorithms": []}}
            """
        #expect(throws: POTConfigurationError.invalid(key: "compression.algorithms", reason: "is empty: calib runs DefaultQuantization")) {
            try POTConfiguration(text: noAlgorithm)
        }
    }

    @Test func rangeEstimatorsMapToCalibsMethods() throws {
        func method(_ estimator: String) throws -> (CalibrationMethod, Double) {
            let text = Self.seedLike.replacingOccurrences(
                of: "\"preset\": \"performance\",", with: "\"preset\": \"performance\", \"range_estimator\": \(estimator),")
            let configuration = try POTConfiguration(text: text)
            return (configuration.method, configuration.outlierProbability)
        }
        #expect(try method(#"{"preset": "default"}"#) == (.pot, 1e-4))
        #expect(try method(#"{"min": {"type": "min", "aggregator": "mean"}, "max": {"type": "max", "aggregator": "mean"}}"#) == (.pot, 1e-4))
        #expect(try method(#"{"min": {"aggregator": "min"}, "max": {"aggregator": "max"}}"#) == (.minmax, 1e-4))
        #expect(try method(#"{"min": {"type": "quantile", "outlier_prob": 1e-3}, "max": {"type": "quantile", "outlier_prob": 1e-3}}"#) == (.quantile, 1e-3))
        #expect(throws: POTConfigurationError.self) { try method(#"{"max": {"aggregator": "median"}}"#) }
    }

    @Test func malformedFilesAreOneLineErrors() {
        #expect(throws: POTConfigurationError.invalid(key: "model.model_name", reason: "is missing")) {
            try POTConfiguration(text: Self.seedLike.replacingOccurrences(of: "\"model_name\": \"ssd-resnet34_int8\", ", with: ""))
        }
        #expect(throws: POTConfigurationError.syntax("a /* comment is never closed")) { try POTConfiguration(text: "{ /* open") }
        #expect { try POTConfiguration(text: "{\"model\": }") } throws: { error in
            guard case .syntax = error as? POTConfigurationError else { return false }
            return !String(describing: error).contains("\n")
        }
        // The place is in the file as written: comments do not shift it.
        #expect(throws: POTConfigurationError.syntax("line 3, column 26: Invalid value")) {
            try POTConfiguration(text: "{\n  // the model\n  \"model\": {\"model_name\" \"x\"}\n}")
        }
    }

    @Test func commentMarksInsideStringsStayText() throws {
        let value = try RelaxedJSON.parse(#"{"url": "http://host/a/*b*/", "list": [1, 2,], /* note */ "x": "\"//\"",}"#)
        #expect(value.object?["url"] == .string("http://host/a/*b*/"))
        #expect(value.object?["list"] == .array([.number(1), .number(2)]))
        #expect(value.object?["x"] == .string("\"//\""))
    }
}
