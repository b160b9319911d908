import Foundation

/// MLPerf's ssd-resnet34 ("ssd-large") as an OpenVINO IR, exactly the topology the seed
/// workflow's converter produces (mean/scale folded in, backbone, extra blocks, heads,
/// box decoding, softmax, NMS and TopK), with deterministic weights in place of the
/// trained ones, which cannot be downloaded here. Without the mean/scale layers it is the
/// graph of MLPerf's ONNX model that converter starts from (`ONNXExport` writes it).
///
/// Weights are uniform He-initialised per layer from a seeded stream named after the
/// layer, with a per-output-channel spread (as folded batch norm gives real networks)
/// and damped residual branches, so activations stay within realistic ranges (units to
/// tens) through all layers. The weights do not depend on the resolution.
public struct SSDResNet34: Sendable {
    /// The square input size; 1200 is MLPerf's reference.
    public let resolution: Int
    /// Head strides (loc, conf) and the strides of extra blocks 1-4, as in the MLPerf source.
    public let strides: [Int]
    public let seed: UInt64
    public let halfPrecisionWeights: Bool

    public static let classes = 81
    public static let sourceChannels = [256, 512, 512, 256, 256, 256]
    public static let boxesPerLocation = [4, 6, 6, 6, 4, 4]
    public static let aspectRatios: [[Double]] = [[2], [2, 3], [2, 3], [2, 3], [2], [2]]
    public static let mean: [Float] = [123.675, 116.28, 103.53]
    public static let scale: [Float] = [58.395, 57.12, 57.375]
    /// MLPerf's strides for the 1200 model, and those of its 300 variant.
    public static let largeStrides = [3, 3, 2, 2, 2, 2]
    public static let smallStrides = [1, 1, 2, 2, 2, 1]

    /// Picks MLPerf's 1200 strides when every head map stays non-empty at this
    /// resolution, else the 300 variant's.
    /// - Throws: `IRError.invalidOperation` below `minimumResolution`.
    public init(resolution: Int, seed: UInt64 = 34, halfPrecisionWeights: Bool = false) throws {
        guard resolution >= Self.minimumResolution else {
            throw IRError.invalidOperation(
                "ssd-resnet34 needs an input of at least \(Self.minimumResolution)x\(Self.minimumResolution), got \(resolution)")
        }
        self.resolution = resolution
        self.seed = seed
        self.halfPrecisionWeights = halfPrecisionWeights
        strides = Self.coversEveryHeadMap(resolution, strides: Self.largeStrides) ? Self.largeStrides : Self.smallStrides
    }

    /// The smallest square input whose every head map keeps at least one location, with
    /// either strides (257: below it, the last extra block's unpadded 3x3 convolution has
    /// nothing left to cover).
    public static let minimumResolution = (1...).first { resolution in
        [largeStrides, smallStrides].contains { coversEveryHeadMap(resolution, strides: $0) }
    }!

    private static func coversEveryHeadMap(_ resolution: Int, strides: [Int]) -> Bool {
        headMapSizes(resolution: resolution, strides: strides).allSatisfy { $0 > 0 }
    }

    /// Spatial sizes of the six sources for an input size and strides list.
    public static func sourceSizes(resolution: Int, strides: [Int]) -> [Int] {
        func out(_ size: Int, kernel: Int, stride: Int, padding: Int) -> Int {
            size + 2 * padding < kernel ? 0 : (size + 2 * padding - kernel) / stride + 1
        }
        var size = out(resolution, kernel: 7, stride: 2, padding: 3)  // conv1
        size = out(size, kernel: 3, stride: 2, padding: 1)  // maxpool
        size = out(size, kernel: 3, stride: 2, padding: 1)  // layer2
        var sizes = [size]
        for block in 0..<5 {
            let stride = block < 4 ? strides[block + 2] : 1
            size = out(size, kernel: 3, stride: stride, padding: block < 3 ? 1 : 0)
            sizes.append(size)
        }
        return sizes
    }

    /// Spatial sizes of the six head maps (loc/conf conv 3x3, pad 1, head stride).
    public static func headMapSizes(resolution: Int, strides: [Int]) -> [Int] {
        sourceSizes(resolution: resolution, strides: strides).map { $0 < 1 ? 0 : ($0 - 1) / strides[0] + 1 }
    }

    /// The default boxes for this resolution (15130 at 1200, 8732 at 300).
    public var defaultBoxes: DefaultBoxes {
        DefaultBoxes(
            imageSize: resolution, featureSizes: Self.headMapSizes(resolution: resolution, strides: strides),
            aspectRatios: Self.aspectRatios)
    }

    /// Builds the IR graph (weights included). Its input `image` is f32 `[1, 3, R, R]`; with
    /// `normalizingInput` it holds raw RGB values (0-255) and the graph subtracts `mean` and
    /// divides by `scale` first, as the converted IR does; without, it is already normalized
    /// and feeds the backbone directly, as in MLPerf's ONNX model. FP16 graphs with the
    /// mean/scale layers carry the converter's `<meta_data>`.
    public func makeGraph(normalizingInput: Bool = true) -> IRGraph {
        var builder = ModelBuilder(
            graph: GraphBuilder(
                name: "ssd-resnet34_\(resolution)", version: 11, halfPrecisionWeights: halfPrecisionWeights),
            seed: seed)
        let image = builder.graph.parameter(name: "image", dims: [1, 3, resolution, resolution])
        let backboneInput = normalizingInput ? builder.normalize(image) : image
        let sources = builder.backboneAndExtras(backboneInput, strides: strides)
        let (locs, confs) = builder.heads(sources, headStride: strides[0])
        builder.postProcess(locs: locs, confs: confs, defaultBoxes: defaultBoxes)
        var graph = builder.graph.graph
        // The converter's record names the mean/scale it folded in, so only a graph with them carries it.
        if halfPrecisionWeights && normalizingInput {
            graph.otherChildren.append(Self.converterMetaData(resolution: resolution))
        }
        return graph
    }

    /// The `<meta_data>` block a Model Optimizer of the MLPerf v0.7 era wrote for this model.
    static func converterMetaData(resolution: Int) -> XMLElement {
        func value(_ name: String, _ value: String) -> XMLElement {
            XMLElement(name: name, attributes: [.init("value", value)])
        }
        return XMLElement(
            name: "meta_data",
            children: [
                value("MO_version", "2020.4.0-359-21e092122f4-releases/2020/4"),
                XMLElement(
                    name: "cli_parameters",
                    children: [
                        value("data_type", "FP16"),
                        value("input", "image"),
                        value("input_shape", "[1,3,\(resolution),\(resolution)]"),
                        value("keep_shape_ops", "True"),
                        value("mean_values", "image[123.675,116.28,103.53]"),
                        value("model_name", "ssd-resnet34_fp16"),
                        value("scale_values", "image[58.395,57.12,57.375]"),
                        value("output_dir", "FP16"),
                    ]),
            ])
    }
}

/// The layer-by-layer construction of `SSDResNet34`, with the weight generator.
struct ModelBuilder {
    var graph: GraphBuilder
    let seed: UInt64

    /// `(image - mean) / scale` per channel, as the converter folds it in (Subtract, Multiply).
    mutating func normalize(_ image: TensorRef) -> TensorRef {
        let mean = graph.floatConstant(name: "image/mean_values", dims: [1, 3, 1, 1], values: SSDResNet34.mean)
        let inverse = graph.floatConstant(name: "image/scale_values", dims: [1, 3, 1, 1], values: SSDResNet34.scale.map { 1 / $0 })
        let centered = graph.binary("Subtract", image, mean, name: "image/mean")
        return graph.binary("Multiply", centered, inverse, name: "image/scale")
    }

    /// Convolution with bias (folded batch norm), optionally followed by ReLU.
    mutating func conv(
        _ input: TensorRef, outChannels: Int, kernel: Int, stride: Int, padding: Int, name: String,
        relu: Bool = true, gain: Double = 1
    ) -> TensorRef {
        let inChannels = input.dims[1]
        var rng = SeededGenerator(seed: seed, stream: name)
        let fanIn = Double(inChannels * kernel * kernel)
        let bound = (3.0 * 2.0 / fanIn).squareRoot() * gain
        let perChannel = inChannels * kernel * kernel
        var weights = [Float](repeating: 0, count: outChannels * perChannel)
        var bias = [Float](repeating: 0, count: outChannels)
        for channel in 0..<outChannels {
            let spread = bound * exp(0.6 * (rng.unit() - 0.5))
            for index in 0..<perChannel {
                weights[channel * perChannel + index] = Float(spread * (2 * rng.unit() - 1))
            }
            bias[channel] = Float(0.1 * gain * (2 * rng.unit() - 1))
        }
        let weightTensor = graph.floatConstant(
            name: "\(name).weight", dims: [outChannels, inChannels, kernel, kernel], values: weights)
        let biasTensor = graph.floatConstant(name: "\(name).bias", dims: [1, outChannels, 1, 1], values: bias)
        let output = graph.convolution(input, weights: weightTensor, bias: biasTensor, stride: stride, padding: padding, name: name)
        return relu ? graph.unary("Relu", output, name: "\(name).relu") : output
    }

    /// ResNet basic block: two 3x3 convolutions, a shortcut (1x1 projection when shape changes), ReLU.
    mutating func basicBlock(_ input: TensorRef, channels: Int, stride: Int, name: String) -> TensorRef {
        let first = conv(input, outChannels: channels, kernel: 3, stride: stride, padding: 1, name: "\(name).conv1")
        let second = conv(first, outChannels: channels, kernel: 3, stride: 1, padding: 1, name: "\(name).conv2", relu: false, gain: 0.4)
        var shortcut = input
        if stride != 1 || input.dims[1] != channels {
            shortcut = conv(input, outChannels: channels, kernel: 1, stride: stride, padding: 0, name: "\(name).downsample", relu: false)
        }
        let sum = graph.binary("Add", second, shortcut, name: "\(name).add")
        return graph.unary("Relu", sum, name: "\(name).relu")
    }

    /// ResNet-34 up to layer3 (every layer3 stride 1), then the five extra blocks; returns the six sources.
    mutating func backboneAndExtras(_ input: TensorRef, strides: [Int]) -> [TensorRef] {
        var x = conv(input, outChannels: 64, kernel: 7, stride: 2, padding: 3, name: "backbone.conv1")
        x = graph.maxPool(x, kernel: 3, stride: 2, padding: 1, name: "backbone.maxpool")
        for (layer, (blocks, channels, stride)) in [(3, 64, 1), (4, 128, 2), (6, 256, 1)].enumerated() {
            for block in 0..<blocks {
                x = basicBlock(x, channels: channels, stride: block == 0 ? stride : 1, name: "backbone.layer\(layer + 1).\(block)")
            }
        }
        var sources = [x]
        let middle = [256, 256, 128, 128, 128]
        for block in 0..<5 {
            let name = "additional_blocks.\(block)"
            let reduced = conv(x, outChannels: middle[block], kernel: 1, stride: 1, padding: 0, name: "\(name).0")
            x = conv(
                reduced, outChannels: SSDResNet34.sourceChannels[block + 1], kernel: 3,
                stride: block < 4 ? strides[block + 2] : 1, padding: block < 3 ? 1 : 0, name: "\(name).2")
            sources.append(x)
        }
        return sources
    }

    /// The loc and conf heads, each reshaped to `[1, 4|81, -1]` and concatenated over sources.
    mutating func heads(_ sources: [TensorRef], headStride: Int) -> (locs: TensorRef, confs: TensorRef) {
        var locs = [TensorRef]()
        var confs = [TensorRef]()
        for (index, source) in sources.enumerated() {
            let boxes = SSDResNet34.boxesPerLocation[index]
            let loc = conv(
                source, outChannels: boxes * 4, kernel: 3, stride: headStride, padding: 1, name: "loc.\(index)",
                relu: false, gain: 0.3)
            let conf = conv(
                source, outChannels: boxes * SSDResNet34.classes, kernel: 3, stride: headStride, padding: 1,
                name: "conf.\(index)", relu: false, gain: 0.3)
            locs.append(graph.reshape(loc, to: [1, 4, -1], name: "loc.\(index).reshape"))
            confs.append(graph.reshape(conf, to: [1, SSDResNet34.classes, -1], name: "conf.\(index).reshape"))
        }
        return (graph.concat(locs, axis: 2, name: "locs"), graph.concat(confs, axis: 2, name: "confs"))
    }

    /// Box decoding against the default boxes, softmax, per-class NMS over the 80 object
    /// classes, then the best 200 detections: outputs `bboxes [1,K,4]`, `labels [1,K]`, `scores [1,K]`.
    mutating func postProcess(locs: TensorRef, confs: TensorRef, defaultBoxes: DefaultBoxes) {
        let count = defaultBoxes.count
        let rows = stride(from: 0, to: defaultBoxes.boxes.count, by: 4)
        let centers = rows.flatMap { defaultBoxes.boxes[$0..<($0 + 2)] }
        let sizes = rows.flatMap { defaultBoxes.boxes[($0 + 2)..<($0 + 4)] }
        let anchorCenters = graph.floatConstant(name: "default_boxes/xy", dims: [1, count, 2], values: centers)
        let anchorSizes = graph.floatConstant(name: "default_boxes/wh", dims: [1, count, 2], values: sizes)

        let offsets = graph.transpose(locs, order: [0, 2, 1], name: "decode/transpose")
        let parts = graph.split(offsets, axis: 2, parts: 2, name: "decode/split")
        let scaleXY = graph.floatScalar(name: "decode/scale_xy", 0.1)
        let scaleWH = graph.floatScalar(name: "decode/scale_wh", 0.2)
        let half = graph.floatScalar(name: "decode/half", 0.5)
        let shifted = graph.binary("Multiply", parts[0], scaleXY, name: "decode/xy_scaled")
        let centersOut = graph.binary(
            "Add", graph.binary("Multiply", shifted, anchorSizes, name: "decode/xy_times_wh"), anchorCenters, name: "decode/xy")
        let logSizes = graph.binary("Multiply", parts[1], scaleWH, name: "decode/wh_scaled")
        let sizesOut = graph.binary("Multiply", graph.unary("Exp", logSizes, name: "decode/wh_exp"), anchorSizes, name: "decode/wh")
        let halfSizes = graph.binary("Multiply", sizesOut, half, name: "decode/half_wh")
        let topLeft = graph.binary("Subtract", centersOut, halfSizes, name: "decode/x0y0")
        let bottomRight = graph.binary("Add", centersOut, halfSizes, name: "decode/x1y1")
        let boxes = graph.concat([topLeft, bottomRight], axis: 2, name: "decode/boxes")

        let probabilities = graph.softmax(confs, axis: 1, name: "scores/softmax")
        let objects = graph.slice(probabilities, axis: 1, start: 1, stop: SSDResNet34.classes, name: "scores/objects")
        let selected = graph.nonMaxSuppression(
            boxes: boxes, scores: objects, maxPerClass: 200, iouThreshold: 0.5, scoreThreshold: 0.05, name: "nms")

        let column = { (graph: inout GraphBuilder, index: Int64, name: String) in
            graph.integerConstant(name: name, dims: [], values: [index])
        }
        let scoreColumn = column(&graph, 2, "detections/score_column")
        let selectedScores = graph.gather(selected.scores, indices: scoreColumn, axis: 1, name: "detections/scores_all")
        let found = graph.shapeOf(selectedScores, name: "detections/count")
        let limit = graph.integerConstant(name: "detections/limit", dims: [1], values: [200])
        let candidates = graph.concat([found, limit], axis: 0, name: "detections/k_candidates")
        let k = graph.reduceMin(candidates, axes: [0], name: "detections/k")
        let best = graph.topK(selectedScores, k: k, name: "detections/topk")
        let rowsKept = graph.gather(selected.indices, indices: best.indices, axis: 0, name: "detections/selected")
        let boxColumn = column(&graph, 2, "detections/box_column")
        let classColumn = column(&graph, 1, "detections/class_column")
        let boxIndices = graph.gather(rowsKept, indices: boxColumn, axis: 1, name: "detections/box_index")
        let classIndices = graph.gather(rowsKept, indices: classColumn, axis: 1, name: "detections/class_index")
        let one = graph.integerConstant(name: "detections/background_offset", dims: [], values: [1])

        let bboxes = graph.gather(boxes, indices: boxIndices, axis: 1, name: "detections/bboxes")
        let labels = graph.unsqueeze(graph.binary("Add", classIndices, one, name: "Add_labels"), axis: 0, name: "detections/labels")
        let scores = graph.unsqueeze(best.values, axis: 0, name: "detections/scores")
        graph.result(bboxes, name: "bboxes")
        graph.result(labels, name: "labels")
        graph.result(scores, name: "scores")
    }
}
