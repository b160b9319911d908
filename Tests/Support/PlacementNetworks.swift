import Core

/// Small networks (input `[1,3,16,16]`) with the ops quantizer placement must get right
/// (domain.md §6): each puts a quantized op behind something a FakeQuantize cannot move
/// through, or has weights whose output channels are not the first axis.
public enum PlacementNetworks {
    /// Every network, by name.
    public static var all: [(name: String, graph: IRGraph)] {
        [
            ("interpolate", interpolate()), ("prelu", prelu()), ("se", squeezeExcitation()), ("depthwise", depthwise()),
            ("deconvolution", deconvolution()), ("matmul", matMulHead()), ("concat", sharedConcatInput()),
            ("blaze", blazeBlock()), ("hardswish", hardSwish()), ("padded-depthwise", paddedDepthwise()),
        ]
    }

    /// conv → ReLU → Interpolate(linear, ×2) → conv: the second conv needs its own FakeQuantize.
    public static func interpolate() -> IRGraph {
        build("interpolate") { builder, image in
            let first = convolution(&builder, image, 3, 8, name: "conv1")
            let relu = builder.unary("Relu", first, name: "relu1")
            let larger = builder.interpolate(relu, scale: 2, mode: "linear", name: "upsample")
            return convolution(&builder, larger, 8, 8, name: "conv2")
        }
    }

    /// conv → PRelu → conv.
    public static func prelu() -> IRGraph {
        build("prelu") { builder, image in
            let first = convolution(&builder, image, 3, 8, name: "conv1")
            let activated = builder.prelu(first, slopes: (0..<8).map { 0.05 * Float($0 + 1) }, name: "prelu1")
            return convolution(&builder, activated, 8, 8, name: "conv2")
        }
    }

    /// A squeeze-and-excitation block: ReduceMean → conv → ReLU → conv → HSigmoid → Multiply.
    public static func squeezeExcitation() -> IRGraph {
        build("se") { builder, image in
            let features = builder.unary("Relu", convolution(&builder, image, 3, 8, name: "conv1"), name: "relu1")
            let squeezed = builder.reduceMean(features, axes: [2, 3], name: "squeeze")
            let reduced = builder.unary("Relu", convolution(&builder, squeezed, 8, 4, kernel: 1, name: "se.reduce"), name: "se.relu")
            let expanded = convolution(&builder, reduced, 4, 8, kernel: 1, name: "se.expand")
            let gate = builder.unary("HSigmoid", expanded, name: "se.gate", version: "opset5")
            let scaled = builder.binary("Multiply", features, gate, name: "se.scale")
            return convolution(&builder, scaled, 8, 8, name: "conv2")
        }
    }

    /// conv → ReLU → depthwise GroupConvolution → ReLU → conv.
    public static func depthwise() -> IRGraph {
        build("depthwise") { builder, image in
            let features = builder.unary("Relu", convolution(&builder, image, 3, 8, name: "conv1"), name: "relu1")
            let weights = builder.floatConstant(name: "dw.weight", dims: [8, 1, 1, 3, 3], values: values(72, seed: 5))
            let depthwise = builder.groupConvolution(features, weights: weights, stride: 1, padding: 1, name: "dw")
            return convolution(&builder, builder.unary("Relu", depthwise, name: "relu2"), 8, 8, name: "conv2")
        }
    }

    /// conv (stride 2) → ReLU → ConvolutionBackpropData (stride 2) → ReLU → conv.
    public static func deconvolution() -> IRGraph {
        build("deconvolution") { builder, image in
            let features = builder.unary("Relu", convolution(&builder, image, 3, 8, stride: 2, name: "conv1"), name: "relu1")
            let weights = builder.floatConstant(name: "up.weight", dims: [8, 4, 2, 2], values: values(128, seed: 7))
            let upsampled = builder.convolutionBackpropData(features, weights: weights, stride: 2, padding: 0, name: "up")
            return convolution(&builder, builder.unary("Relu", upsampled, name: "relu2"), 4, 8, name: "conv2")
        }
    }

    /// conv → ReLU → ReduceMean → Reshape → MatMul `[8,16]` → ReLU → MatMul `[10,16]` transposed.
    public static func matMulHead() -> IRGraph {
        build("matmul") { builder, image in
            let features = builder.unary("Relu", convolution(&builder, image, 3, 8, name: "conv1"), name: "relu1")
            let pooled = builder.reshape(builder.reduceMean(features, axes: [2, 3], name: "pool"), to: [1, 8], name: "flatten")
            let first = builder.floatConstant(name: "fc1.weight", dims: [8, 16], values: values(128, seed: 11))
            let hidden = builder.unary("Relu", builder.matMul(pooled, weights: first, transposeB: false, name: "fc1"), name: "fc1.relu")
            let second = builder.floatConstant(name: "fc2.weight", dims: [10, 16], values: values(160, seed: 13))
            return builder.matMul(hidden, weights: second, transposeB: true, name: "fc2")
        }
    }

    /// `a = relu(conv x)`, `b = 100·relu(conv x)`; `concat(a, b) → conv` and `conv(a)`:
    /// `a` and `b` must share one range although `a` also feeds another conv.
    public static func sharedConcatInput() -> IRGraph {
        var builder = GraphBuilder(name: "concat")
        let image = builder.parameter(name: "image", dims: [1, 3, 16, 16])
        let a = builder.unary("Relu", convolution(&builder, image, 3, 4, name: "conv.a"), name: "a")
        let hundred = builder.floatConstant(name: "hundred", dims: [1], values: [100])
        let b = builder.binary("Multiply", builder.unary("Relu", convolution(&builder, image, 3, 4, name: "conv.b"), name: "relu.b"), hundred, name: "b")
        let joined = builder.concat([a, b], axis: 1, name: "joined")
        builder.result(convolution(&builder, a, 4, 4, name: "conv.only.a"), name: "out.a")
        builder.result(convolution(&builder, joined, 8, 4, name: "conv.joined"), name: "out")
        return builder.graph
    }

    /// A BlazeFace residual block: `x = relu(conv image)`; `relu(dwconv(x, stride 2) → conv 8→16)
    /// + pad(maxpool-8(x), 8 more channels)` → conv. The MaxPool, with its unused indices
    /// output, is agnostic: one FakeQuantize on `x` serves it and the depthwise conv.
    public static func blazeBlock() -> IRGraph {
        build("blaze") { builder, image in
            let x = builder.unary("Relu", convolution(&builder, image, 3, 8, name: "conv1"), name: "relu1")
            let weights = builder.floatConstant(name: "dw.weight", dims: [8, 1, 1, 3, 3], values: values(72, seed: 5))
            let depthwise = builder.groupConvolution(x, weights: weights, stride: 2, padding: 1, name: "dw")
            let widened = convolution(&builder, depthwise, 8, 16, kernel: 1, name: "project")
            let pooled = builder.maxPoolWithIndices(x, kernel: 2, stride: 2, name: "pool")
            let shortcut = builder.pad(pooled, begin: [0, 0, 0, 0], end: [0, 8, 0, 0], name: "pad")
            let sum = builder.unary("Relu", builder.binary("Add", widened, shortcut, name: "sum"), name: "relu2")
            return convolution(&builder, sum, 16, 8, name: "conv2")
        }
    }

    /// conv → ReLU → Pad (spatial, as TFLite writes it) → depthwise conv, stride 2 → ReLU → conv:
    /// the FakeQuantize above the Pad serves only the depthwise conv, so it is per channel.
    public static func paddedDepthwise() -> IRGraph {
        build("padded-depthwise") { builder, image in
            let features = builder.unary("Relu", convolution(&builder, image, 3, 8, name: "conv1"), name: "relu1")
            let padded = builder.pad(features, begin: [0, 0, 0, 0], end: [0, 0, 1, 1], name: "pad")
            let weights = builder.floatConstant(name: "dw.weight", dims: [8, 1, 1, 3, 3], values: values(72, seed: 5))
            let depthwise = builder.groupConvolution(padded, weights: weights, stride: 2, padding: 0, name: "dw")
            return convolution(&builder, builder.unary("Relu", depthwise, name: "relu2"), 8, 8, name: "conv2")
        }
    }

    /// conv → hard-swish as converters write it, `x · min(max(x + 3, 0), 6) · (1/6)` → conv:
    /// the gate's FakeQuantize stays below the clamp, on the range [0, 6].
    public static func hardSwish() -> IRGraph {
        build("hardswish") { builder, image in
            let x = convolution(&builder, image, 3, 8, name: "conv1")
            let scalar = { (builder: inout GraphBuilder, name: String, value: Float) in
                builder.floatConstant(name: name, dims: [1], values: [value])
            }
            let shifted = builder.binary("Add", x, scalar(&builder, "three", 3), name: "shift")
            let floor = builder.binary("Maximum", shifted, scalar(&builder, "zero", 0), name: "clamp.low")
            let gate = builder.binary("Minimum", floor, scalar(&builder, "six", 6), name: "clamp.high")
            let product = builder.binary("Multiply", x, gate, name: "product")
            let swished = builder.binary("Multiply", product, scalar(&builder, "sixth", 1 / 6), name: "hswish")
            return convolution(&builder, swished, 8, 8, name: "conv2")
        }
    }

    /// A network `body` builds on the image input, with its last tensor as the output.
    private static func build(_ name: String, body: (inout GraphBuilder, TensorRef) -> TensorRef) -> IRGraph {
        var builder = GraphBuilder(name: name)
        let image = builder.parameter(name: "image", dims: [1, 3, 16, 16])
        builder.result(body(&builder, image), name: "out")
        return builder.graph
    }

    /// A convolution with bias (`name/conv` is the Convolution, `name` the bias Add).
    private static func convolution(
        _ builder: inout GraphBuilder, _ input: TensorRef, _ inputs: Int, _ outputs: Int, kernel: Int = 3, stride: Int = 1,
        name: String
    ) -> TensorRef {
        let weights = builder.floatConstant(
            name: "\(name).weight", dims: [outputs, inputs, kernel, kernel],
            values: values(outputs * inputs * kernel * kernel, seed: UInt64(name.utf8.reduce(0) { $0 &* 31 &+ Int($1) } & 0xffff)))
        let bias = builder.floatConstant(name: "\(name).bias", dims: [1, outputs, 1, 1], values: values(outputs, seed: 3))
        return builder.convolution(input, weights: weights, bias: bias, stride: stride, padding: kernel / 2, name: name)
    }

    /// `count` deterministic weights in ±0.5.
    private static func values(_ count: Int, seed: UInt64) -> [Float] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { _ in Float(generator.unit()) - 0.5 }
    }
}
