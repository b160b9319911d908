/// Ops beyond what ssd-resnet34 needs, for the networks quantizer placement is tested on
/// (domain.md §6): resampling and pooling that do not keep values on a FakeQuantize's
/// grid, a channel-wise activation, and the other weighted ops that run on int8 kernels.
extension GraphBuilder {
    /// Interpolate (opset11) of an NCHW tensor by the integer factor `scale` in H and W;
    /// `mode` is `linear`, `cubic` or `nearest`.
    public mutating func interpolate(_ input: TensorRef, scale: Int, mode: String, name: String) -> TensorRef {
        let scales = floatScalarVector(name: "\(name)/scales", [Float(scale), Float(scale)])
        let axes = integerConstant(name: "\(name)/axes", dims: [2], values: [2, 3])
        var dims = input.dims
        dims[2] *= scale
        dims[3] *= scale
        return add(
            "Interpolate", name: name, version: "opset11",
            data: [
                .init("mode", mode), .init("shape_calculation_mode", "scales"),
                .init("coordinate_transformation_mode", "half_pixel"), .init("nearest_mode", "round_prefer_floor"),
                .init("antialias", "false"), .init("pads_begin", "0,0,0,0"), .init("pads_end", "0,0,0,0"),
                .init("cube_coeff", "-0.75"),
            ],
            inputs: [input, scales, axes], output: (dims, input.elementType))
    }

    /// AvgPool with a square `kernel`, `stride` and no padding.
    public mutating func avgPool(_ input: TensorRef, kernel: Int, stride: Int, name: String) -> TensorRef {
        let outH = (input.dims[2] - kernel) / stride + 1
        let outW = (input.dims[3] - kernel) / stride + 1
        return add(
            "AvgPool", name: name,
            data: [
                .init("strides", "\(stride),\(stride)"), .init("pads_begin", "0,0"), .init("pads_end", "0,0"),
                .init("kernel", "\(kernel),\(kernel)"), .init("exclude-pad", "true"), .init("rounding_type", "floor"),
                .init("auto_pad", "explicit"),
            ],
            inputs: [input], output: ([input.dims[0], input.dims[1], outH, outW], input.elementType))
    }

    /// Mean over `axes`, kept as size-1 dimensions.
    public mutating func reduceMean(_ input: TensorRef, axes: [Int], name: String) -> TensorRef {
        let axesConstant = integerConstant(name: "\(name)/axes", dims: [axes.count], values: axes.map(Int64.init))
        let dims = input.dims.enumerated().map { axes.contains($0.offset) ? 1 : $0.element }
        return add(
            "ReduceMean", name: name, data: [.init("keep_dims", "true")], inputs: [input, axesConstant],
            output: (dims, input.elementType))
    }

    /// PRelu with one slope per channel (axis 1).
    public mutating func prelu(_ input: TensorRef, slopes: [Float], name: String) -> TensorRef {
        let slope = floatConstant(name: "\(name)/slope", dims: [slopes.count], values: slopes)
        return add("PRelu", name: name, inputs: [input, slope], output: (input.dims, input.elementType))
    }

    /// GroupConvolution with weights `[G, O/G, I/G, kh, kw]` (depthwise when O/G = I/G = 1).
    public mutating func groupConvolution(
        _ input: TensorRef, weights: TensorRef, stride: Int, padding: Int, name: String
    ) -> TensorRef {
        let (kernelH, kernelW) = (weights.dims[3], weights.dims[4])
        let outH = (input.dims[2] + 2 * padding - kernelH) / stride + 1
        let outW = (input.dims[3] + 2 * padding - kernelW) / stride + 1
        return add(
            "GroupConvolution", name: name, data: Self.convolutionData(stride: stride, padding: padding),
            inputs: [input, weights], output: ([input.dims[0], weights.dims[0] * weights.dims[1], outH, outW], .f32))
    }

    /// ConvolutionBackpropData (a transposed convolution) with weights `[I, O, kh, kw]`.
    public mutating func convolutionBackpropData(
        _ input: TensorRef, weights: TensorRef, stride: Int, padding: Int, name: String
    ) -> TensorRef {
        let outH = (input.dims[2] - 1) * stride + weights.dims[2] - 2 * padding
        let outW = (input.dims[3] - 1) * stride + weights.dims[3] - 2 * padding
        return add(
            "ConvolutionBackpropData", name: name, data: Self.convolutionData(stride: stride, padding: padding),
            inputs: [input, weights], output: ([input.dims[0], weights.dims[1], outH, outW], .f32))
    }

    /// MatMul of `input` `[..., K]` by the weights `[K, N]`, or `[N, K]` with `transposeB`.
    public mutating func matMul(_ input: TensorRef, weights: TensorRef, transposeB: Bool, name: String) -> TensorRef {
        let columns = transposeB ? weights.dims[0] : weights.dims[1]
        return add(
            "MatMul", name: name, data: [.init("transpose_a", "false"), .init("transpose_b", transposeB ? "true" : "false")],
            inputs: [input, weights], output: (Array(input.dims.dropLast()) + [columns], .f32))
    }

    /// MaxPool (opset8, as TFLite and ONNX frontends write it) with a square `kernel` and
    /// `stride` and no padding; its second output, the i64 indices, is left unused.
    public mutating func maxPoolWithIndices(_ input: TensorRef, kernel: Int, stride: Int, name: String) -> TensorRef {
        let dims = [input.dims[0], input.dims[1], (input.dims[2] - kernel) / stride + 1, (input.dims[3] - kernel) / stride + 1]
        let id = graph.nextLayerID
        _ = addLayer(
            "MaxPool", name: name, version: "opset8",
            data: [
                .init("strides", "\(stride),\(stride)"), .init("dilations", "1,1"), .init("pads_begin", "0,0"), .init("pads_end", "0,0"),
                .init("kernel", "\(kernel),\(kernel)"), .init("rounding_type", "floor"), .init("auto_pad", "explicit"),
                .init("index_element_type", "i64"), .init("axis", "0"),
            ],
            inputs: [input], outputs: [(dims, input.elementType), (dims, .i64)])
        return TensorRef(port: PortReference(layer: id, port: 1), dims: dims, elementType: input.elementType)
    }

    /// Pad (opset1, constant 0) by `begin` and `end` entries on each axis: the explicit
    /// padding TFLite models carry before strided depthwise convolutions, or the extra
    /// zero channels of BlazeFace's widened shortcuts.
    public mutating func pad(_ input: TensorRef, begin: [Int], end: [Int], name: String) -> TensorRef {
        let beginConstant = integerConstant(name: "\(name)/pads_begin", dims: [begin.count], values: begin.map(Int64.init))
        let endConstant = integerConstant(name: "\(name)/pads_end", dims: [end.count], values: end.map(Int64.init))
        let zero = floatScalar(name: "\(name)/value", 0)
        let dims = input.dims.indices.map { input.dims[$0] + begin[$0] + end[$0] }
        return add(
            "Pad", name: name, data: [.init("pad_mode", "constant")], inputs: [input, beginConstant, endConstant, zero],
            output: (dims, input.elementType))
    }

    /// An f32 vector constant kept in f32 even in FP16 IRs (scales, not weights).
    private mutating func floatScalarVector(name: String, _ values: [Float]) -> TensorRef {
        constant(name: name, dims: [values.count], elementType: .f32, bytes: values.flatMap { $0.bitPattern.littleEndianBytes })
    }
}
