/// The translation of each IR operation calib's example network uses into ONNX opset 17
/// nodes. Inputs that ONNX takes as attributes (axes, orders) must be Consts; attribute
/// values with no ONNX counterpart are refused, never dropped.
extension ONNXGraphTranslation {
    /// Adds the ONNX nodes computing `layer`, or records where its value comes from
    /// (Parameter, Const, a Convert folded into a constant). Results become graph outputs
    /// once every layer is translated.
    mutating func translate(_ layer: Layer) throws {
        switch layer.type {
        case "Parameter": try addInput(layer)
        case "Const": try defineConstant(layer, 0, .const(layer, ir.constView(layer.id)))
        case "Result": break
        case "Convert": try translateConvert(layer)
        case "Convolution": try translateConvolution(layer)
        case "Add": try translateArithmetic(layer, opType: "Add")
        case "Subtract": try translateArithmetic(layer, opType: "Sub")
        case "Multiply": try translateArithmetic(layer, opType: "Mul")
        case "Relu", "Exp": try addNode(for: layer, opType: layer.type, inputs: [input(layer, 0)])
        case "MaxPool": try translateMaxPool(layer)
        case "Reshape": try translateReshape(layer)
        case "Transpose":
            let order = try constantIntegers(layer, 1)
            // An empty order reverses the axes in both formats.
            try addNode(
                for: layer, opType: "Transpose", inputs: [input(layer, 0)],
                attributes: order.isEmpty ? [] : [.ints("perm", order)])
        case "Concat":
            try addNode(
                for: layer, opType: "Concat", inputs: layer.inputs.indices.map { try input(layer, $0) },
                attributes: [.int("axis", layer.int("axis"))])
        case "Split": try translateSplit(layer)
        case "Slice":
            // IR: data, start, stop, step[, axes]; ONNX: data, starts, ends[, axes][, steps].
            try addNode(
                for: layer, opType: "Slice",
                inputs: [input(layer, 0), input(layer, 1), input(layer, 2), optionalInput(layer, 4), input(layer, 3)])
        case "Softmax":
            try addNode(for: layer, opType: "Softmax", inputs: [input(layer, 0)], attributes: [.int("axis", layer.int("axis"))])
        case "Gather": try translateGather(layer)
        case "Unsqueeze": try addNode(for: layer, opType: "Unsqueeze", inputs: [input(layer, 0), input(layer, 1)])
        case "ShapeOf":
            try require(layer, "output_type", is: "i64", orAbsent: true)
            try addNode(for: layer, opType: "Shape", inputs: [input(layer, 0)])
        case "ReduceMin": try translateReduceMin(layer)
        case "TopK": try translateTopK(layer)
        case "NonMaxSuppression": try translateNonMaxSuppression(layer)
        default: throw unsupported(layer, "operation \(layer.type) has no ONNX translation")
        }
    }

    /// An f16 Const widened to f32 becomes an f32 initializer; any other Convert a Cast.
    private mutating func translateConvert(_ layer: Layer) throws {
        let destination = try layer.string("destination_type")
        guard let target = ElementType(irName: destination), let dataType = ONNXGraph.DataType(target) else {
            throw unsupported(layer, "destination_type '\(destination)' has no ONNX equivalent")
        }
        if target == .f32, let const = ir.layer(try producer(layer, 0).layer), const.type == "Const" {
            let view = try ConstView(layer: const, weightsCount: ir.weights.count)
            if view.elementType == .f16 {
                try defineConstant(layer, 0, .widenedHalf(view))
                return
            }
        }
        try addNode(for: layer, opType: "Cast", inputs: [input(layer, 0)], attributes: [.int("to", dataType.rawValue)])
    }

    /// Both formats use NCHW data and OIHW weights; the kernel shape is the weights' spatial dims.
    private mutating func translateConvolution(_ layer: Layer) throws {
        var attributes: [ONNXGraph.Attribute] = []
        if let weightDims = try producedPort(layer, 1).dims, weightDims.count > 2 {
            attributes.append(.ints("kernel_shape", Array(weightDims[2...])))
        }
        attributes += [.ints("strides", try layer.ints("strides")), .ints("dilations", try layer.ints("dilations"))]
        attributes += try padding(layer)
        try addNode(for: layer, opType: "Conv", inputs: [input(layer, 0), input(layer, 1)], attributes: attributes)
    }

    /// Add, Sub and Mul broadcast like numpy, as IR `auto_broadcast="numpy"` does (and
    /// `"none"` only allows equal shapes).
    private mutating func translateArithmetic(_ layer: Layer, opType: String) throws {
        let broadcast = layer.attribute("auto_broadcast") ?? "numpy"
        guard broadcast == "numpy" || broadcast == "none" else {
            throw unsupported(layer, "auto_broadcast '\(broadcast)' has no ONNX equivalent")
        }
        try addNode(for: layer, opType: opType, inputs: [input(layer, 0), input(layer, 1)])
    }

    /// MaxPool's first output; the indices output of opset8 MaxPool is numbered differently
    /// in ONNX and is not translated.
    private mutating func translateMaxPool(_ layer: Layer) throws {
        var attributes: [ONNXGraph.Attribute] = [
            .ints("kernel_shape", try layer.ints("kernel")), .ints("strides", try layer.ints("strides")),
        ]
        if layer.attribute("dilations") != nil {
            attributes.append(.ints("dilations", try layer.ints("dilations")))
        }
        attributes += try padding(layer)
        switch layer.attribute("rounding_type") ?? "floor" {
        case "floor": break
        case "ceil": attributes.append(.int("ceil_mode", 1))
        case let other: throw unsupported(layer, "rounding_type '\(other)' has no ONNX equivalent")
        }
        try addNode(for: layer, opType: "MaxPool", inputs: [input(layer, 0)], attributes: attributes, outputCount: 1)
    }

    /// The padding of a Convolution or MaxPool: explicit `pads` (all begins, then all ends)
    /// or the matching `auto_pad` mode.
    private func padding(_ layer: Layer) throws -> [ONNXGraph.Attribute] {
        switch layer.attribute("auto_pad") ?? "explicit" {
        case "explicit", "notset": [.ints("pads", try layer.ints("pads_begin") + layer.ints("pads_end"))]
        case "valid": [.string("auto_pad", "VALID")]
        case "same_upper": [.string("auto_pad", "SAME_UPPER")]
        case "same_lower": [.string("auto_pad", "SAME_LOWER")]
        case let other: throw unsupported(layer, "auto_pad '\(other)' has no ONNX equivalent")
        }
    }

    /// `special_zero="false"` reads a 0 in the target shape as a zero dimension, which ONNX
    /// spells `allowzero=1`; for a constant shape without zeros both readings agree and the
    /// attribute is left out, as exporters write it.
    private mutating func translateReshape(_ layer: Layer) throws {
        let zeroIsLiteral = try layer.string("special_zero") == "false"
        let shapeMayHoldZero = (try? constantIntegers(layer, 1))?.contains(0) ?? true
        try addNode(
            for: layer, opType: "Reshape", inputs: [input(layer, 0), input(layer, 1)],
            attributes: zeroIsLiteral && shapeMayHoldZero ? [.int("allowzero", 1)] : [])
    }

    /// Split into `num_splits` equal parts. ONNX takes the axis as an attribute; without a
    /// `split` sizes input it splits equally into as many parts as the node has outputs,
    /// which OpenVINO reads back as a Split (sizes would make it a VariadicSplit).
    private mutating func translateSplit(_ layer: Layer) throws {
        let axis = try singleConstantInteger(layer, 1)
        try addNode(for: layer, opType: "Split", inputs: [input(layer, 0)], attributes: [.int("axis", axis)])
    }

    private mutating func translateGather(_ layer: Layer) throws {
        try require(layer, "batch_dims", is: "0", orAbsent: true)
        let axis = try singleConstantInteger(layer, 2)
        try addNode(for: layer, opType: "Gather", inputs: [input(layer, 0), input(layer, 1)], attributes: [.int("axis", axis)])
    }

    /// Opset 17's ReduceMin takes the axes as an attribute (an input from opset 18 on).
    private mutating func translateReduceMin(_ layer: Layer) throws {
        let axes = try constantIntegers(layer, 1)
        // ONNX reads no axes as "all axes", the IR as "none".
        guard !axes.isEmpty else { throw unsupported(layer, "reduces over no axes") }
        let keepDims = layer.attribute("keep_dims") == "true"
        try addNode(
            for: layer, opType: "ReduceMin", inputs: [input(layer, 0)],
            attributes: [.ints("axes", axes), .int("keepdims", keepDims ? 1 : 0)])
    }

    /// ONNX TopK takes k as an i64 tensor of shape [1]; a scalar (or unknown-shape) k is
    /// reshaped to that first.
    private mutating func translateTopK(_ layer: Layer) throws {
        try require(layer, "index_element_type", is: "i64", orAbsent: false)
        let largest: Int
        switch try layer.string("mode") {
        case "max": largest = 1
        case "min": largest = 0
        case let other: throw unsupported(layer, "mode '\(other)' has no ONNX equivalent")
        }
        let sorted: Int
        switch try layer.string("sort") {
        case "value": sorted = 1
        case "none": sorted = 0
        case let other: throw unsupported(layer, "sort '\(other)' has no ONNX equivalent")
        }
        var k = try input(layer, 1)
        if try producedPort(layer, 1).dims != [1] {
            let shape = try addIntegerInitializer(layer, "k_shape", dims: [1], values: [1])
            k = try addHelperNode(for: layer, "k", opType: "Reshape", inputs: [k, shape])
        }
        try addNode(
            for: layer, opType: "TopK", inputs: [input(layer, 0), k],
            attributes: [.int("axis", layer.int("axis")), .int("largest", largest), .int("sorted", sorted)])
    }

    /// Opset5/9 NonMaxSuppression without cross-class sorting orders its selections like
    /// ONNX's (batch, class, then score). ONNX has only the selected indices `[M, 3]`; the
    /// IR's selected scores `[M, 3]` (batch, class, score as floats) are rebuilt from them
    /// when used, and the valid count output is not translated.
    private mutating func translateNonMaxSuppression(_ layer: Layer) throws {
        guard layer.version == "opset5" || layer.version == "opset9" else {
            throw unsupported(layer, "only opset5 and opset9 NonMaxSuppression match ONNX's outputs")
        }
        try require(layer, "sort_result_descending", is: "false", orAbsent: false)
        try require(layer, "output_type", is: "i64", orAbsent: true)
        let centerPointBox: Int
        switch layer.attribute("box_encoding") ?? "corner" {
        case "corner": centerPointBox = 0
        case "center": centerPointBox = 1
        case let other: throw unsupported(layer, "box_encoding '\(other)' has no ONNX equivalent")
        }
        guard layer.inputs.count <= 5 else { throw unsupported(layer, "soft-NMS (a sigma input) has no ONNX equivalent") }
        let scores = try input(layer, 1)
        let indices = try addNode(
            for: layer, opType: "NonMaxSuppression",
            inputs: [input(layer, 0), scores, optionalInput(layer, 2), optionalInput(layer, 3), optionalInput(layer, 4)],
            attributes: [.int("center_point_box", centerPointBox)], outputCount: 1)[0]
        guard layer.outputs.count > 1,
            !ir.consumers(of: PortReference(layer: layer.id, port: layer.outputs[1].id)).isEmpty
        else { return }
        try addSelectedScores(layer, indices: indices, scores: scores)
    }

    /// Rows `(batch, class, score)` for the selected `indices` rows `(batch, class, box)`:
    /// the first two columns cast to the scores' type, the score gathered from `scores`.
    private mutating func addSelectedScores(_ layer: Layer, indices: String, scores: String) throws {
        guard let precision = layer.outputs[1].precision, let scoreType = ONNXGraph.DataType(precision) else {
            throw unsupported(layer, "selected scores output has no ONNX element type")
        }
        let asScores = try addHelperNode(
            for: layer, "indices_as_scores", opType: "Cast", inputs: [indices], attributes: [.int("to", scoreType.rawValue)])
        let columns = try addIntegerInitializer(layer, "batch_class_columns", dims: [2], values: [0, 1])
        let batchClass = try addHelperNode(
            for: layer, "batch_class", opType: "Gather", inputs: [asScores, columns], attributes: [.int("axis", 1)])
        let selected = try addHelperNode(for: layer, "selected_scores", opType: "GatherND", inputs: [scores, indices])
        let columnAxes = try addIntegerInitializer(layer, "score_column_axes", dims: [1], values: [1])
        let scoreColumn = try addHelperNode(for: layer, "score_column", opType: "Unsqueeze", inputs: [selected, columnAxes])
        try addHelperNode(
            for: layer, "score_rows", opType: "Concat", inputs: [batchClass, scoreColumn], attributes: [.int("axis", 1)],
            output: defineOutput(layer, 1))
    }

    /// The one value of a scalar or one-element Const input (an axis).
    private func singleConstantInteger(_ layer: Layer, _ index: Int) throws -> Int {
        let values = try constantIntegers(layer, index)
        guard values.count == 1, let value = values.first else {
            throw unsupported(layer, "input \(index) must hold one value, not \(values.count)")
        }
        return value
    }

    /// Refuses `layer` unless attribute `name` is `value` (or missing, when `orAbsent`).
    private func require(_ layer: Layer, _ name: String, is value: String, orAbsent: Bool) throws {
        let actual = layer.attribute(name)
        guard actual == value || actual == nil && orAbsent else {
            throw unsupported(layer, "\(name) '\(actual ?? "(absent)")' has no ONNX translation (only '\(value)')")
        }
    }
}
