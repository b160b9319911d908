/// Builds IR graphs operation by operation with shape inference, the way a model
/// converter would write them. The example model is made with it; its ops cover what
/// ssd-resnet34 needs, each with the attributes and opset OpenVINO's IR reader expects.
public struct GraphBuilder: Sendable {
    public private(set) var graph: IRGraph
    /// Store float constants as f16 followed by a Convert to f32, as FP16 IRs do.
    public let halfPrecisionWeights: Bool

    public init(name: String, version: Int = 11, halfPrecisionWeights: Bool = false) {
        // An empty graph has no edges to check.
        graph = try! IRGraph(name: name, version: version)
        self.halfPrecisionWeights = halfPrecisionWeights
    }

    // MARK: Sources and sinks

    /// A model input.
    public mutating func parameter(name: String, dims: [Int], elementType: ElementType = .f32) -> TensorRef {
        add(
            "Parameter", name: name,
            data: [.init("shape", dims.map(String.init).joined(separator: ",")), .init("element_type", elementType.constName)],
            inputs: [], output: (dims, elementType), outputNames: [name])
    }

    /// A model output reading `tensor`, which gets the tensor name `name`.
    public mutating func result(_ tensor: TensorRef, name: String) {
        // The port was made by this builder, so it exists.
        try! graph.setTensorNames(of: tensor.port, [name])
        _ = addLayer("Result", name: "\(name)/sink_port_0", data: [], inputs: [tensor], outputs: [])
    }

    // MARK: Constants

    /// A float constant; stored as f16 + Convert when the builder makes an FP16 IR.
    public mutating func floatConstant(name: String, dims: [Int], values: [Float]) -> TensorRef {
        precondition(values.count == dims.reduce(1, *), "constant \(name) has \(values.count) values for \(dims)")
        if halfPrecisionWeights {
            let bits = values.map(HalfFloat.bits(from:))
            let half = constant(name: "\(name)/fp16", dims: dims, elementType: .f16, bytes: bits.flatMap(\.littleEndianBytes))
            return add("Convert", name: name, data: [.init("destination_type", "f32")], inputs: [half], output: (dims, .f32))
        }
        return constant(name: name, dims: dims, elementType: .f32, bytes: values.flatMap { $0.bitPattern.littleEndianBytes })
    }

    /// An i64 constant (shapes, axes, indices, counts).
    public mutating func integerConstant(name: String, dims: [Int], values: [Int64]) -> TensorRef {
        constant(name: name, dims: dims, elementType: .i64, bytes: values.flatMap { UInt64(bitPattern: $0).littleEndianBytes })
    }

    /// A constant of `elementType` with raw little-endian `bytes`.
    mutating func constant(name: String, dims: [Int], elementType: ElementType, bytes: [UInt8]) -> TensorRef {
        // Sizes are computed from `dims` above, so the payload always fits.
        let port = try! graph.addConst(name: name, elementType: elementType, shape: dims, bytes: bytes)
        return TensorRef(port: port, dims: dims, elementType: elementType)
    }

    // MARK: Operations

    /// Convolution (NCHW, OIHW weights) with explicit padding; `bias` adds a per-channel Add.
    public mutating func convolution(
        _ input: TensorRef, weights: TensorRef, bias: TensorRef?, stride: Int, padding: Int, name: String
    ) -> TensorRef {
        let (kernelH, kernelW) = (weights.dims[2], weights.dims[3])
        let outH = (input.dims[2] + 2 * padding - kernelH) / stride + 1
        let outW = (input.dims[3] + 2 * padding - kernelW) / stride + 1
        let convolved = add(
            "Convolution", name: bias == nil ? name : "\(name)/conv", data: Self.convolutionData(stride: stride, padding: padding),
            inputs: [input, weights], output: ([input.dims[0], weights.dims[0], outH, outW], .f32))
        guard let bias else { return convolved }
        return binary("Add", convolved, bias, name: name)
    }

    /// MaxPool with explicit symmetric padding, floor rounding.
    public mutating func maxPool(_ input: TensorRef, kernel: Int, stride: Int, padding: Int, name: String) -> TensorRef {
        let outH = (input.dims[2] + 2 * padding - kernel) / stride + 1
        let outW = (input.dims[3] + 2 * padding - kernel) / stride + 1
        return add(
            "MaxPool", name: name,
            data: [
                .init("strides", "\(stride),\(stride)"), .init("pads_begin", "\(padding),\(padding)"),
                .init("pads_end", "\(padding),\(padding)"), .init("kernel", "\(kernel),\(kernel)"),
                .init("rounding_type", "floor"), .init("auto_pad", "explicit"),
            ],
            inputs: [input], output: ([input.dims[0], input.dims[1], outH, outW], input.elementType))
    }

    /// An element-wise unary op that keeps shape and type (`Relu`, `Exp`, ...; `HSigmoid`
    /// with `version: "opset5"`).
    public mutating func unary(_ type: String, _ input: TensorRef, name: String, version: String = "opset1") -> TensorRef {
        add(type, name: name, version: version, inputs: [input], output: (input.dims, input.elementType))
    }

    /// An element-wise binary op with numpy broadcasting (`Add`, `Multiply`, `Subtract`).
    public mutating func binary(_ type: String, _ lhs: TensorRef, _ rhs: TensorRef, name: String) -> TensorRef {
        add(
            type, name: name, data: [.init("auto_broadcast", "numpy")], inputs: [lhs, rhs],
            output: (Self.broadcast(lhs.dims, rhs.dims), lhs.elementType))
    }

    /// Reshape to a static shape given by an i64 constant (one dimension may be -1).
    public mutating func reshape(_ input: TensorRef, to dims: [Int], name: String) -> TensorRef {
        let target = integerConstant(name: "\(name)/shape", dims: [dims.count], values: dims.map(Int64.init))
        let known = dims.filter { $0 != -1 }.reduce(1, *)
        let total = input.dims.reduce(1, *)
        let resolved = dims.map { $0 == -1 ? total / known : $0 }
        return add(
            "Reshape", name: name, data: [.init("special_zero", "false")], inputs: [input, target],
            output: (resolved, input.elementType))
    }

    /// Transpose by a permutation.
    public mutating func transpose(_ input: TensorRef, order: [Int], name: String) -> TensorRef {
        let permutation = integerConstant(name: "\(name)/order", dims: [order.count], values: order.map(Int64.init))
        return add("Transpose", name: name, inputs: [input, permutation], output: (order.map { input.dims[$0] }, input.elementType))
    }

    /// Concat along `axis`.
    public mutating func concat(_ inputs: [TensorRef], axis: Int, name: String) -> TensorRef {
        var dims = inputs[0].dims
        dims[axis] = inputs.map { $0.dims[axis] }.contains(-1) ? -1 : inputs.map { $0.dims[axis] }.reduce(0, +)
        return add("Concat", name: name, data: [.init("axis", String(axis))], inputs: inputs, output: (dims, inputs[0].elementType))
    }

    /// Split into `parts` equal pieces along `axis`.
    public mutating func split(_ input: TensorRef, axis: Int, parts: Int, name: String) -> [TensorRef] {
        let axisConstant = integerConstant(name: "\(name)/axis", dims: [], values: [Int64(axis)])
        var dims = input.dims
        dims[axis] /= parts
        let id = graph.nextLayerID
        _ = addLayer(
            "Split", name: name, data: [.init("num_splits", String(parts))], inputs: [input, axisConstant],
            outputs: Array(repeating: (dims, input.elementType), count: parts))
        return (0..<parts).map { TensorRef(port: PortReference(layer: id, port: 2 + $0), dims: dims, elementType: input.elementType) }
    }

    /// Slice `[start, stop)` with step 1 along one axis (opset8 Slice).
    public mutating func slice(_ input: TensorRef, axis: Int, start: Int, stop: Int, name: String) -> TensorRef {
        let starts = integerConstant(name: "\(name)/start", dims: [1], values: [Int64(start)])
        let stops = integerConstant(name: "\(name)/stop", dims: [1], values: [Int64(stop)])
        let steps = integerConstant(name: "\(name)/step", dims: [1], values: [1])
        let axes = integerConstant(name: "\(name)/axes", dims: [1], values: [Int64(axis)])
        var dims = input.dims
        dims[axis] = stop - start
        return add("Slice", name: name, version: "opset8", inputs: [input, starts, stops, steps, axes], output: (dims, input.elementType))
    }

    /// Softmax along `axis` (opset8).
    public mutating func softmax(_ input: TensorRef, axis: Int, name: String) -> TensorRef {
        add("Softmax", name: name, version: "opset8", data: [.init("axis", String(axis))], inputs: [input], output: (input.dims, input.elementType))
    }

    /// Gather along `axis` with `indices` (opset8, batch_dims 0).
    public mutating func gather(_ input: TensorRef, indices: TensorRef, axis: Int, name: String) -> TensorRef {
        let axisConstant = integerConstant(name: "\(name)/axis", dims: [], values: [Int64(axis)])
        let dims = Array(input.dims[..<axis]) + indices.dims + Array(input.dims[(axis + 1)...])
        return add(
            "Gather", name: name, version: "opset8", data: [.init("batch_dims", "0")], inputs: [input, indices, axisConstant],
            output: (dims, input.elementType))
    }

    /// Adds a leading axis 0.
    public mutating func unsqueeze(_ input: TensorRef, axis: Int, name: String) -> TensorRef {
        let axes = integerConstant(name: "\(name)/axes", dims: [1], values: [Int64(axis)])
        var dims = input.dims
        dims.insert(1, at: axis)
        return add("Unsqueeze", name: name, inputs: [input, axes], output: (dims, input.elementType))
    }

    /// The shape of a tensor as an i64 vector (opset3 ShapeOf).
    public mutating func shapeOf(_ input: TensorRef, name: String) -> TensorRef {
        add(
            "ShapeOf", name: name, version: "opset3", data: [.init("output_type", "i64")], inputs: [input],
            output: ([input.dims.count], .i64))
    }

    /// Minimum over `axes`, dropping them.
    public mutating func reduceMin(_ input: TensorRef, axes: [Int], name: String) -> TensorRef {
        let axesConstant = integerConstant(name: "\(name)/axes", dims: [axes.count], values: axes.map(Int64.init))
        let dims = input.dims.enumerated().filter { !axes.contains($0.offset) }.map(\.element)
        return add(
            "ReduceMin", name: name, data: [.init("keep_dims", "false")], inputs: [input, axesConstant],
            output: (dims, input.elementType))
    }

    /// Per-class non-maximum suppression (opset9) on corner boxes `[B,N,4]` and scores
    /// `[B,C,N]`; returns selected indices `[M,3]` (batch, class, box) and their scores `[M,3]`.
    public mutating func nonMaxSuppression(
        boxes: TensorRef, scores: TensorRef, maxPerClass: Int, iouThreshold: Float, scoreThreshold: Float, name: String
    ) -> (indices: TensorRef, scores: TensorRef) {
        let maxBoxes = integerConstant(name: "\(name)/max_output_boxes_per_class", dims: [1], values: [Int64(maxPerClass)])
        let iou = floatScalar(name: "\(name)/iou_threshold", iouThreshold)
        let threshold = floatScalar(name: "\(name)/score_threshold", scoreThreshold)
        let id = graph.nextLayerID
        _ = addLayer(
            "NonMaxSuppression", name: name, version: "opset9",
            data: [.init("box_encoding", "corner"), .init("sort_result_descending", "false"), .init("output_type", "i64")],
            inputs: [boxes, scores, maxBoxes, iou, threshold],
            outputs: [([-1, 3], .i64), ([-1, 3], .f32), ([1], .i64)])
        return (
            TensorRef(port: PortReference(layer: id, port: 5), dims: [-1, 3], elementType: .i64),
            TensorRef(port: PortReference(layer: id, port: 6), dims: [-1, 3], elementType: .f32)
        )
    }

    /// The `k` largest values of a vector and their i64 indices, sorted by value (opset11 TopK).
    public mutating func topK(_ input: TensorRef, k: TensorRef, name: String) -> (values: TensorRef, indices: TensorRef) {
        let id = graph.nextLayerID
        _ = addLayer(
            "TopK", name: name, version: "opset11",
            data: [.init("axis", "0"), .init("mode", "max"), .init("sort", "value"), .init("index_element_type", "i64"), .init("stable", "true")],
            inputs: [input, k], outputs: [([-1], input.elementType), ([-1], .i64)])
        return (
            TensorRef(port: PortReference(layer: id, port: 2), dims: [-1], elementType: input.elementType),
            TensorRef(port: PortReference(layer: id, port: 3), dims: [-1], elementType: .i64)
        )
    }

    /// A scalar f32 constant kept in f32 even in FP16 IRs (thresholds are not weights).
    public mutating func floatScalar(name: String, _ value: Float) -> TensorRef {
        constant(name: name, dims: [], elementType: .f32, bytes: value.bitPattern.littleEndianBytes)
    }

    // MARK: Plumbing

    /// Adds one layer with one output and connects `inputs` to it.
    mutating func add(
        _ type: String, name: String, version: String = "opset1", data: [XMLElement.Attribute] = [], inputs: [TensorRef],
        output: ([Int], ElementType), outputNames: [String] = []
    ) -> TensorRef {
        let id = addLayer(type, name: name, version: version, data: data, inputs: inputs, outputs: [output], outputNames: outputNames)
        return TensorRef(port: PortReference(layer: id, port: inputs.count), dims: output.0, elementType: output.1)
    }

    /// Adds one layer with any number of outputs, connects `inputs` to it, returns its id.
    mutating func addLayer(
        _ type: String, name: String, version: String = "opset1", data: [XMLElement.Attribute], inputs: [TensorRef],
        outputs: [([Int], ElementType)], outputNames: [String] = []
    ) -> Int {
        let id = graph.addLayer(
            type: type, name: name, version: version, data: data,
            inputs: inputs.map { ($0.elementType, $0.dims) }, outputs: outputs.map { ($0.1, $0.0) },
            outputNames: outputNames.isEmpty ? [] : [outputNames])
        for (index, input) in inputs.enumerated() {
            // Both ends were just created by this builder, so the edge is always valid.
            try! graph.connect(input.port, to: PortReference(layer: id, port: index))
        }
        return id
    }

    /// The attributes of a convolution with explicit symmetric padding and no dilation.
    static func convolutionData(stride: Int, padding: Int) -> [XMLElement.Attribute] {
        [
            .init("strides", "\(stride),\(stride)"), .init("dilations", "1,1"), .init("pads_begin", "\(padding),\(padding)"),
            .init("pads_end", "\(padding),\(padding)"), .init("auto_pad", "explicit"),
        ]
    }

    /// Numpy broadcasting of two static shapes.
    static func broadcast(_ lhs: [Int], _ rhs: [Int]) -> [Int] {
        let rank = max(lhs.count, rhs.count)
        let left = Array(repeating: 1, count: rank - lhs.count) + lhs
        let right = Array(repeating: 1, count: rank - rhs.count) + rhs
        return zip(left, right).map { $0 == 1 ? $1 : $0 }
    }
}

extension FixedWidthInteger {
    /// The value's bytes, least significant first, as IR `.bin` files store numbers.
    var littleEndianBytes: [UInt8] {
        withUnsafeBytes(of: littleEndian) { Array($0) }
    }
}
