/// Turns an FP32 IR into the int8 IR OpenVINO runs on int8 kernels: a FakeQuantize
/// (256 levels) on each planned activation, and weights stored as int8 Const + Convert +
/// per-channel Multiply, so the `.bin` shrinks to about a quarter; or, with
/// `keepFloatWeights`, a FakeQuantize on the float weights instead. Biases corrected by
/// FastBiasCorrection replace the originals as f32 Consts.
public enum QuantizedModelWriter {
    /// The quantized graph. `ranges` is parallel to `plan.activations`; the applied
    /// outcomes of `biasCorrections` replace their layers' biases.
    public static func quantize(
        _ source: IRGraph, plan: QuantizationPlan, ranges: [ActivationRange], keepFloatWeights: Bool = false,
        biasCorrections: [BiasCorrection.Outcome] = []
    ) throws -> IRGraph {
        guard ranges.count == plan.activations.count else {
            throw IRError.invalidOperation("\(ranges.count) ranges for \(plan.activations.count) planned activations")
        }
        var graph = source
        for (activation, range) in zip(plan.activations, ranges) {
            let dims = graph.port(activation.tensor)?.dims
            var limitDims = [Int]()
            var lows = [range.low]
            var highs = [range.high]
            if let channels = range.channels, let axis = activation.channelAxis, let dims, dims.indices.contains(axis),
                dims[axis] == channels.count
            {
                limitDims = dims.indices.map { $0 == axis ? channels.count : 1 }
                lows = channels.map(\.low)
                highs = channels.map(\.high)
            }
            let limits = try [lows, highs, lows, highs].enumerated().map { index, values in
                try graph.addConst(
                    name: "\(activation.name)/fq/\(["input_low", "input_high", "output_low", "output_high"][index])",
                    elementType: .f32, shape: limitDims, bytes: values.flatMap { $0.bitPattern.littleEndianBytes })
            }
            let fakeQuantize = fakeQuantizeLayer(&graph, name: "\(activation.name)/fq", levels: 256, dims: dims, limitDims: limitDims)
            try graph.connect(activation.tensor, to: PortReference(layer: fakeQuantize, port: 0))
            for (index, limit) in limits.enumerated() {
                try graph.connect(limit, to: PortReference(layer: fakeQuantize, port: index + 1))
            }
            for consumer in activation.consumers {
                try graph.removeEdge(
                    Edge(fromLayer: activation.tensor.layer, fromPort: activation.tensor.port, toLayer: consumer.layer, toPort: consumer.port))
                try graph.connect(PortReference(layer: fakeQuantize, port: 5), to: consumer)
            }
        }
        for weight in plan.weights {
            let layer = try graph.requireLayer(weight.layer)
            let view = try graph.constView(weight.constant)
            let axes = WeightQuantizer.outputChannelAxes(
                layerType: layer.type, rank: view.shape.count, transposeB: layer.attribute("transpose_b") == "true")
            let quantizer = WeightQuantizer(
                weights: try view.floats(in: graph.weights), shape: view.shape, channelAxes: axes, isFirstLayer: weight.isFirstLayer)
            let input = PortReference(layer: weight.layer, port: layer.inputs[1].id)
            try graph.removeEdge(Edge(fromLayer: weight.source.layer, fromPort: weight.source.port, toLayer: input.layer, toPort: input.port))
            let replacement =
                keepFloatWeights
                ? try fakeQuantizedWeights(&graph, weight: weight, quantizer: quantizer, shape: view.shape, name: layer.name)
                : try integerWeights(&graph, quantizer: quantizer, shape: view.shape, name: layer.name)
            try graph.connect(replacement, to: input)
        }
        for outcome in biasCorrections where outcome.isApplied {
            try replaceBias(&graph, with: outcome)
        }
        graph.removeLayers(unused(in: graph))
        try graph.compactWeights()
        return graph
    }

    /// Feeds the bias Add of `outcome`'s layer a new f32 Const with the corrected bias.
    private static func replaceBias(_ graph: inout IRGraph, with outcome: BiasCorrection.Outcome) throws {
        let layer = outcome.layer
        let shape = try graph.constView(layer.biasConstant).shape
        guard let source = graph.producer(of: layer.biasInput), let name = graph.layer(layer.biasConstant)?.name else {
            throw IRError.invalidOperation("the bias of layer \(layer.layer) is not connected")
        }
        let corrected = try graph.addConst(
            name: "\(name)/corrected", elementType: .f32, shape: shape,
            bytes: outcome.correctedBias.flatMap { $0.bitPattern.littleEndianBytes })
        try graph.removeEdge(
            Edge(fromLayer: source.layer, fromPort: source.port, toLayer: layer.biasInput.layer, toPort: layer.biasInput.port))
        try graph.connect(corrected, to: layer.biasInput)
    }

    /// int8 Const -> Convert(f32) -> Multiply(per-channel scale).
    private static func integerWeights(
        _ graph: inout IRGraph, quantizer: WeightQuantizer, shape: [Int], name: String
    ) throws -> PortReference {
        let integers = try graph.addConst(
            name: "\(name)/weights/int8", elementType: .i8, shape: shape, bytes: quantizer.values.map { UInt8(bitPattern: $0) })
        let convert = graph.addLayer(
            type: "Convert", name: "\(name)/weights/convert", data: [.init("destination_type", "f32")],
            inputs: [(.i8, shape)], outputs: [(.f32, shape)])
        try graph.connect(integers, to: PortReference(layer: convert, port: 0))
        let scales = try graph.addConst(
            name: "\(name)/weights/scale", elementType: .f32, shape: quantizer.scaleShape,
            bytes: quantizer.scales.flatMap { $0.bitPattern.littleEndianBytes })
        let multiply = graph.addLayer(
            type: "Multiply", name: "\(name)/weights/dequantize", data: [.init("auto_broadcast", "numpy")],
            inputs: [(.f32, shape), (.f32, quantizer.scaleShape)], outputs: [(.f32, shape)])
        try graph.connect(PortReference(layer: convert, port: 1), to: PortReference(layer: multiply, port: 0))
        try graph.connect(scales, to: PortReference(layer: multiply, port: 1))
        return PortReference(layer: multiply, port: 2)
    }

    /// The float weights through a per-channel FakeQuantize `[-high, high]`.
    private static func fakeQuantizedWeights(
        _ graph: inout IRGraph, weight: QuantizationPlan.Weight, quantizer: WeightQuantizer, shape: [Int], name: String
    ) throws -> PortReference {
        let lows = quantizer.highs.map { -$0 }
        var limits = [PortReference]()
        for (label, values) in [("input_low", lows), ("input_high", quantizer.highs), ("output_low", lows), ("output_high", quantizer.highs)] {
            limits.append(
                try graph.addConst(
                    name: "\(name)/weights/fq/\(label)", elementType: .f32, shape: quantizer.scaleShape,
                    bytes: values.flatMap { $0.bitPattern.littleEndianBytes }))
        }
        let fakeQuantize = fakeQuantizeLayer(
            &graph, name: "\(name)/weights/fq", levels: WeightQuantizer.levels, dims: shape, limitDims: quantizer.scaleShape)
        try graph.connect(weight.source, to: PortReference(layer: fakeQuantize, port: 0))
        for (index, limit) in limits.enumerated() {
            try graph.connect(limit, to: PortReference(layer: fakeQuantize, port: index + 1))
        }
        return PortReference(layer: fakeQuantize, port: 5)
    }

    private static func fakeQuantizeLayer(
        _ graph: inout IRGraph, name: String, levels: Int, dims: [Int]?, limitDims: [Int]
    ) -> Int {
        graph.addLayer(
            type: "FakeQuantize", name: name, data: [.init("levels", String(levels)), .init("auto_broadcast", "numpy")],
            inputs: [(.f32, dims)] + Array(repeating: (ElementType.f32, limitDims), count: 4), outputs: [(.f32, dims)])
    }

    /// Layers left with no consumer (replaced weights and their Converts), repeatedly.
    private static func unused(in graph: IRGraph) -> Set<Int> {
        var removed = Set<Int>()
        var consumerCount = [Int: Int]()
        for edge in graph.edges { consumerCount[edge.fromLayer, default: 0] += 1 }
        var candidates = graph.layers.filter { $0.type != "Result" && $0.type != "Parameter" && consumerCount[$0.id] == nil }
        while let layer = candidates.popLast() {
            guard removed.insert(layer.id).inserted else { continue }
            for producer in graph.producers(ofLayer: layer.id).compactMap({ $0 }) {
                consumerCount[producer.layer, default: 0] -= 1
                if consumerCount[producer.layer] == 0, let next = graph.layer(producer.layer), next.type != "Parameter" {
                    candidates.append(next)
                }
            }
        }
        return removed
    }
}
