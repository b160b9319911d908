/// A POT configuration file (`pot -c CONFIG.json`, the seed's
/// `ssd_resnet34_1200_int8_simplified.json`) as calib runs it: the model, the first
/// dataset's images, reader, resize and COCO annotation file, and DefaultQuantization's
/// parameters. Keys that only evaluation uses (`launchers`, `adapter`, `postprocessing`,
/// `metrics`, names) are read and left to `calib eval`; every other key calib does not
/// support and that would change the int8 model (another algorithm, 4-bit, per-channel
/// activations, ...) is collected into one `POTConfigurationError.unsupported`, never
/// silently ignored. Paths are returned as written (relative to the working directory,
/// as POT resolves them).
public struct POTConfiguration: Sendable {
    /// `model.model_name`: the name of the written int8 IR.
    public let modelName: String
    /// `model.model` and `model.weights`.
    public let model: String
    public let weights: String
    /// `engine.datasets[0].data_source`: the image folder.
    public let dataSource: String
    /// `reader`: `pillow_imread` (Pillow) or `opencv_imread` (OpenCV, also POT's default).
    public let reader: ImageReader
    /// The `resize` preprocessing's size (`size`, or `dst_width` and `dst_height`), if any.
    public let resize: (width: Int, height: Int)?
    /// Its `interpolation`: `LINEAR` (default) or `CUBIC`.
    public let interpolation: Interpolation
    /// `annotation_conversion.annotation_file` of an `mscoco_detection` converter: selects
    /// and orders the images.
    public let annotationFile: String?
    /// DefaultQuantization's `preset`.
    public let preset: QuantizationPreset
    /// `stat_subset_size`: the first N images in dataset order.
    public let subsetSize: Int?
    /// `ignored.scope` (layer names) and `ignored.operations` (`{"type": ...}`).
    public let ignoredNames: [String]
    public let ignoredTypes: [String]
    /// `use_fast_bias` (default true).
    public let biasCorrection: Bool
    /// The range method `range_estimator` describes (default: POT's mean of per-image extremes).
    public let method: CalibrationMethod
    /// For `quantile`: `outlier_prob`.
    public let outlierProbability: Double

    /// Reads the configuration text. Throws `POTConfigurationError`: `.syntax` for text
    /// that is not JSON with comments, `.invalid` for a missing or malformed key, and
    /// `.unsupported` listing every unsupported setting.
    public init(text: String) throws(POTConfigurationError) {
        var reader = KeyReader()
        let root = try RelaxedJSON.parse(text)
        let top = try reader.object(root, "configuration")
        reader.allow(top, "", ["model", "engine", "compression"])

        let model = try reader.object(top["model"], "model")
        reader.allow(model, "model", ["model_name", "model", "weights"])
        modelName = try reader.string(model["model_name"], "model.model_name")
        guard !modelName.contains("/"), modelName != ".", modelName != ".." else {
            throw .invalid(key: "model.model_name", reason: "'\(modelName)' must be a plain file name: the int8 IR is written as DIR/optimized/<model_name>.xml")
        }
        self.model = try reader.string(model["model"], "model.model")
        weights = try reader.string(model["weights"], "model.weights")

        let engine = try reader.object(top["engine"], "engine")
        reader.allow(engine, "engine", ["type", "launchers", "datasets", "stat_requests_number", "eval_requests_number", "device"])
        if let type = try reader.optionalString(engine["type"], "engine.type"), !["simplified", "accuracy_checker"].contains(type) {
            reader.unsupported("engine.type", quoted: type)
        }
        let datasets = try reader.array(engine["datasets"], "engine.datasets")
        guard let first = datasets.first else { throw .invalid(key: "engine.datasets", reason: "is empty: calib needs one dataset") }
        if datasets.count > 1 { reader.unsupported("engine.datasets", "\(datasets.count) datasets (calib uses one)") }
        let dataset = try reader.object(first, "engine.datasets[0]")
        reader.allow(
            dataset, "engine.datasets[0]",
            ["name", "data_source", "reader", "preprocessing", "postprocessing", "metrics", "annotation_conversion", "annotation",
             "dataset_meta", "subsample_size"])
        dataSource = try reader.string(dataset["data_source"], "engine.datasets[0].data_source")
        let readerName: String?
        if let members = dataset["reader"]?.object {
            readerName = try reader.optionalString(members["type"], "engine.datasets[0].reader.type")
        } else {
            readerName = try reader.optionalString(dataset["reader"], "engine.datasets[0].reader")
        }
        switch readerName ?? "opencv_imread" {
        case "pillow_imread": self.reader = .pillow
        case "opencv_imread": self.reader = .opencv
        case let other:
            reader.unsupported("engine.datasets[0].reader", quoted: other)
            self.reader = .pillow
        }
        var resize: (width: Int, height: Int)?
        var interpolation = Interpolation.bilinear
        for (index, step) in try reader.array(dataset["preprocessing"] ?? .array([]), "preprocessing").enumerated() {
            let key = "engine.datasets[0].preprocessing[\(index)]"
            let members = try reader.object(step, key)
            guard members["type"]?.string == "resize" else {
                reader.unsupported("\(key).type", members["type"]?.text ?? "none")
                continue
            }
            reader.allow(members, key, ["type", "size", "dst_width", "dst_height", "interpolation", "aspect_ratio_scale"])
            if let aspect = members["aspect_ratio_scale"] { reader.unsupported("\(key).aspect_ratio_scale", aspect.text) }
            if let size = members["size"] {
                let side = try reader.positiveInteger(size, "\(key).size")
                resize = (side, side)
            } else {
                resize = (
                    try reader.positiveInteger(members["dst_width"], "\(key).dst_width"),
                    try reader.positiveInteger(members["dst_height"], "\(key).dst_height")
                )
            }
            switch try reader.optionalString(members["interpolation"], "\(key).interpolation")?.uppercased() ?? "LINEAR" {
            case "LINEAR": interpolation = .bilinear
            case "CUBIC": interpolation = .bicubic
            case let other: reader.unsupported("\(key).interpolation", quoted: other)
            }
        }
        self.resize = resize
        self.interpolation = interpolation
        if let conversion = dataset["annotation_conversion"] {
            let members = try reader.object(conversion, "engine.datasets[0].annotation_conversion")
            reader.allow(
                members, "engine.datasets[0].annotation_conversion",
                ["converter", "annotation_file", "has_background", "use_full_label_map", "sort_annotations", "sort_key", "images_dir"])
            let converter = try reader.optionalString(members["converter"], "engine.datasets[0].annotation_conversion.converter") ?? "none"
            if converter != "mscoco_detection" { reader.unsupported("engine.datasets[0].annotation_conversion.converter", quoted: converter) }
            if let sort = try reader.optionalString(members["sort_key"], "engine.datasets[0].annotation_conversion.sort_key"),
                sort != "image_id"
            {
                reader.unsupported("engine.datasets[0].annotation_conversion.sort_key", quoted: sort)
            }
            if try reader.optionalBool(members["sort_annotations"], "engine.datasets[0].annotation_conversion.sort_annotations") == false {
                reader.unsupported("engine.datasets[0].annotation_conversion.sort_annotations", "false")
            }
            annotationFile = try reader.string(members["annotation_file"], "engine.datasets[0].annotation_conversion.annotation_file")
        } else {
            annotationFile = nil
        }

        let compression = try reader.object(top["compression"], "compression")
        reader.allow(compression, "compression", ["target_device", "algorithms", "dump_intermediate_model", "log_algorithm_steps"])
        if let device = try reader.optionalString(compression["target_device"], "compression.target_device"),
            !["CPU", "ANY"].contains(device.uppercased())
        {
            reader.unsupported("compression.target_device", quoted: device)
        }
        let algorithms = try reader.array(compression["algorithms"], "compression.algorithms")
        guard !algorithms.isEmpty else {
            throw .invalid(key: "compression.algorithms", reason: "is empty: calib runs DefaultQuantization")
        }
        var parameters: [String: JSONValue] = [:]
        for (index, algorithm) in algorithms.enumerated() {
            let members = try reader.object(algorithm, "compression.algorithms[\(index)]")
            let name = members["name"]?.string ?? "unnamed"
            guard name == "DefaultQuantization", index == 0 else {
                reader.unsupported("compression.algorithms[\(index)].name", quoted: name)
                continue
            }
            reader.allow(members, "compression.algorithms[0]", ["name", "params"])
            parameters = try reader.object(members["params"] ?? .object([:]), "compression.algorithms[0].params")
        }
        let key = "compression.algorithms[0].params"
        reader.allow(
            parameters, key,
            ["preset", "stat_subset_size", "ignored", "use_fast_bias", "range_estimator", "weights", "activations", "target_device",
             "stat_batch_size", "shuffle_data", "seed"])
        if let device = try reader.optionalString(parameters["target_device"], "\(key).target_device"),
            !["CPU", "ANY"].contains(device.uppercased())
        {
            reader.unsupported("\(key).target_device", quoted: device)
        }
        switch try reader.optionalString(parameters["preset"], "\(key).preset") ?? "performance" {
        case "performance": preset = .performance
        case "mixed": preset = .mixed
        case let other:
            reader.unsupported("\(key).preset", quoted: other)
            preset = .performance
        }
        if let size = parameters["stat_subset_size"] {
            subsetSize = try reader.positiveInteger(size, "\(key).stat_subset_size")
        } else {
            subsetSize = nil
        }
        if try reader.optionalBool(parameters["shuffle_data"], "\(key).shuffle_data") == true {
            reader.unsupported("\(key).shuffle_data", "true")
        }
        var names: [String] = []
        var types: [String] = []
        if let ignored = parameters["ignored"] {
            let members = try reader.object(ignored, "\(key).ignored")
            reader.allow(members, "\(key).ignored", ["scope", "operations"])
            for (index, name) in try reader.array(members["scope"] ?? .array([]), "\(key).ignored.scope").enumerated() {
                names.append(try reader.string(name, "\(key).ignored.scope[\(index)]"))
            }
            for (index, operation) in try reader.array(members["operations"] ?? .array([]), "\(key).ignored.operations").enumerated() {
                let path = "\(key).ignored.operations[\(index)]"
                let entry = try reader.object(operation, path)
                reader.allow(entry, path, ["type"])
                types.append(try reader.string(entry["type"], "\(path).type"))
            }
        }
        ignoredNames = names
        ignoredTypes = types
        biasCorrection = try reader.optionalBool(parameters["use_fast_bias"], "\(key).use_fast_bias") ?? true
        for (section, value) in [("range_estimator", parameters["range_estimator"]), ("weights", parameters["weights"]),
                                 ("activations", parameters["activations"])] where value != nil {
            _ = try reader.object(value, "\(key).\(section)")
        }
        var (rangeMethod, probability) = reader.rangeMethod(parameters["range_estimator"], "\(key).range_estimator")
        reader.checkQuantizer(parameters["weights"], "\(key).weights", mode: "symmetric", granularity: "perchannel", levels: [255, 256])
        reader.checkQuantizer(
            parameters["activations"], "\(key).activations", mode: preset == .mixed ? "asymmetric" : "symmetric",
            granularity: "pertensor", levels: [256])
        if let range = parameters["activations"]?.object?["range_estimator"] {
            let (activationMethod, activationProbability) = reader.rangeMethod(range, "\(key).activations.range_estimator")
            if parameters["range_estimator"] != nil, activationMethod != rangeMethod || activationProbability != probability {
                reader.unsupported("\(key).activations.range_estimator", "differs from \(key).range_estimator")
            }
            (rangeMethod, probability) = (activationMethod, activationProbability)
        }
        method = rangeMethod
        outlierProbability = probability
        if !reader.unsupportedKeys.isEmpty { throw .unsupported(reader.unsupportedKeys) }
    }
}

/// Reads typed values out of a configuration, collecting every unsupported key.
private struct KeyReader {
    private(set) var unsupportedKeys: [String] = []

    mutating func unsupported(_ key: String, _ value: String) {
        unsupportedKeys.append("\(key) = \(value)")
    }

    /// Records a string setting, quoted as in the file.
    mutating func unsupported(_ key: String, quoted value: String) {
        unsupported(key, "\"\(value)\"")
    }

    /// Records as unsupported every key of `object` not in `known`, in sorted order.
    mutating func allow(_ object: [String: JSONValue], _ path: String, _ known: Set<String>) {
        for key in object.keys.sorted() where !known.contains(key) {
            unsupported(path.isEmpty ? key : "\(path).\(key)", object[key]!.text)
        }
    }

    func object(_ value: JSONValue?, _ key: String) throws(POTConfigurationError) -> [String: JSONValue] {
        guard let value else { throw .invalid(key: key, reason: "is missing") }
        guard let members = value.object else { throw .invalid(key: key, reason: "must be an object, not \(value.text)") }
        return members
    }

    func array(_ value: JSONValue?, _ key: String) throws(POTConfigurationError) -> [JSONValue] {
        guard let value else { throw .invalid(key: key, reason: "is missing") }
        guard let elements = value.array else { throw .invalid(key: key, reason: "must be a list, not \(value.text)") }
        return elements
    }

    func string(_ value: JSONValue?, _ key: String) throws(POTConfigurationError) -> String {
        guard let value else { throw .invalid(key: key, reason: "is missing") }
        guard let text = value.string, !text.isEmpty else { throw .invalid(key: key, reason: "must be a non-empty string, not \(value.text)") }
        return text
    }

    /// A string, nil when absent; another kind of value is an error.
    func optionalString(_ value: JSONValue?, _ key: String) throws(POTConfigurationError) -> String? {
        guard let value else { return nil }
        guard let text = value.string else { throw .invalid(key: key, reason: "must be a string, not \(value.text)") }
        return text
    }

    /// A Boolean, nil when absent; another kind of value is an error.
    func optionalBool(_ value: JSONValue?, _ key: String) throws(POTConfigurationError) -> Bool? {
        guard let value else { return nil }
        guard let flag = value.bool else { throw .invalid(key: key, reason: "must be true or false, not \(value.text)") }
        return flag
    }

    func positiveInteger(_ value: JSONValue?, _ key: String) throws(POTConfigurationError) -> Int {
        guard let value else { throw .invalid(key: key, reason: "is missing") }
        guard let number = value.number, number >= 1, number <= Double(Int32.max), number.rounded() == number else {
            throw .invalid(key: key, reason: "must be a positive integer, not \(value.text)")
        }
        return Int(number)
    }

    /// POT's range estimator as a calib method: the mean over images of per-image minima
    /// and maxima is `pot`, the global ones `minmax`, mean per-image quantiles `quantile`.
    mutating func rangeMethod(_ value: JSONValue?, _ key: String) -> (CalibrationMethod, Double) {
        guard let members = value?.object else { return (.pot, 1e-4) }
        if let preset = members["preset"]?.string {
            switch preset {
            case "default": return (.pot, 1e-4)
            case "quantile": return (.quantile, 1e-4)
            default:
                unsupported("\(key).preset", quoted: preset)
                return (.pot, 1e-4)
            }
        }
        func side(_ name: String) -> (type: String, aggregator: String, outlier: Double?) {
            let side = members[name]?.object ?? [:]
            for extra in side.keys.sorted() where !["type", "aggregator", "outlier_prob", "clipping_value"].contains(extra) {
                unsupported("\(key).\(name).\(extra)", side[extra]!.text)
            }
            if let clipping = side["clipping_value"] { unsupported("\(key).\(name).clipping_value", clipping.text) }
            return (
                side["type"]?.string ?? (name == "min" ? "min" : "max"), side["aggregator"]?.string ?? "mean",
                side["outlier_prob"]?.number
            )
        }
        let (low, high) = (side("min"), side("max"))
        switch (low.type, low.aggregator, high.type, high.aggregator) {
        case ("min", "mean", "max", "mean"), ("min", "mean", "abs_max", "mean"): return (.pot, 1e-4)
        case ("min", "min", "max", "max"): return (.minmax, 1e-4)
        case ("quantile", "mean", "quantile", "mean") where (low.outlier ?? 1e-4) == (high.outlier ?? 1e-4):
            return (.quantile, high.outlier ?? 1e-4)
        default:
            unsupported(key, "min \(low.type)/\(low.aggregator), max \(high.type)/\(high.aggregator)")
            return (.pot, 1e-4)
        }
    }

    /// Records as unsupported a quantizer override that differs from what calib does.
    mutating func checkQuantizer(_ value: JSONValue?, _ key: String, mode: String, granularity: String, levels: Set<Int>) {
        guard let members = value?.object else { return }
        for name in members.keys.sorted() {
            let setting = members[name]!
            switch name {
            case "bits" where setting.number == 8, "mode" where setting.string == mode,
                "granularity" where setting.string == granularity, "range_estimator":
                continue
            case "levels" where setting.number.flatMap { Int(exactly: $0) }.map(levels.contains) ?? false:
                continue
            default:
                unsupported("\(key).\(name)", setting.text)
            }
        }
    }
}

extension JSONValue {
    /// The value as a short JSON-like text, for messages.
    var text: String {
        switch self {
        case let .string(value): "\"\(value)\""
        case let .number(value): value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : String(value)
        case let .bool(value): String(value)
        case .null: "null"
        case let .array(values): "[\(values.map(\.text).joined(separator: ", "))]"
        case .object: "{...}"
        }
    }
}
