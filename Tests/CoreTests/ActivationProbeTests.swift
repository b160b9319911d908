import Testing

@testable import Core

@Suite struct ActivationProbeTests {
    @Test func probesComputedFloatTensorsButNotConstantsOrOutputs() throws {
        var builder = GraphBuilder(name: "probe", halfPrecisionWeights: true)
        let image = builder.parameter(name: "image", dims: [1, 3, 4, 4])
        let scale = builder.floatConstant(name: "scale", dims: [1, 3, 1, 1], values: [1, 2, 3])
        let scaled = builder.binary("Multiply", image, scale, name: "scaled")
        let relu = builder.unary("Relu", scaled, name: "relu")
        let shape = builder.shapeOf(relu, name: "shape")
        builder.result(relu, name: "out")
        builder.result(shape, name: "shape_out")
        let probe = try ActivationProbe(graph: builder.graph)
        // `scaled` only: the f16 Const + Convert is constant, `relu` is already an output, ShapeOf is i64.
        #expect(probe.tensors == [scaled.port])
        #expect(probe.originalOutputs == 2)
        #expect(probe.graph.layers(ofType: "Result").count == 3)
    }

    @Test func extremesAreThreeReductionsOverAllButTheBatchAxis() throws {
        var builder = GraphBuilder(name: "probe")
        let image = builder.parameter(name: "image", dims: [2, 3, 4, 4])
        let relu = builder.unary("Relu", image, name: "relu")
        let pooled = builder.reduceMin(relu, axes: [1, 2, 3], name: "pooled")
        let flat = builder.unary("Relu", pooled, name: "flat")
        let sigmoid = builder.unary("Sigmoid", flat, name: "sigmoid")
        builder.result(sigmoid, name: "out")
        let probe = try ActivationProbe(graph: builder.graph, tensors: [relu.port, flat.port], collection: .extremes)
        // `flat` has no axis but the batch axis: it comes out whole.
        #expect(probe.outputs == [.extremes(minimum: 1, maximum: 2, finiteness: 3), .whole(4)])
        #expect(probe.firstChannelOutput == 5)
        // Spatial axes first (per channel, [N, C]), then the channels ([N]).
        let reductions = probe.graph.layers.filter { $0.name.hasPrefix("relu/probe_") && $0.type.hasPrefix("Reduce") }
        #expect(reductions.map(\.type) == ["ReduceMin", "ReduceMin", "ReduceMax", "ReduceMax", "ReduceSum", "ReduceSum"])
        #expect(reductions.map { $0.outputs.first?.dims ?? [] } == Array(repeating: [[2, 3], [2]], count: 3).flatMap { $0 })
        #expect(reductions.allSatisfy { $0.data.first { $0.name == "keep_dims" }?.value == "false" })
        let axes = try #require(probe.graph.layer(named: "relu/probe_axes_\(relu.port.port)"))
        #expect(axes.outputs.first?.dims == [2])
        // Where a per-channel mean of the tensor is probed anyway, it tells finiteness: no sum.
        let mean = ChannelReduction(tensor: relu.port, channelAxis: 1, kind: .mean, tensorName: "relu")
        let withMean = try ActivationProbe(graph: builder.graph, tensors: [relu.port], channelReductions: [mean], collection: .extremes)
        #expect(withMean.outputs == [.extremes(minimum: 1, maximum: 2, finiteness: 3)])
        #expect(withMean.firstChannelOutput == 3)
        #expect(!withMean.graph.layers.contains { $0.type == "ReduceSum" })
        // Whole tensors: one Result each, channels last from rank 3 on.
        let whole = try ActivationProbe(graph: builder.graph, tensors: [relu.port, flat.port])
        #expect(whole.outputs == [.whole(1), .whole(2)])
        let transposes = whole.graph.layers(ofType: "Transpose")
        #expect(transposes.map { $0.outputs.first?.dims ?? [] } == [[2, 4, 4, 3]])
        let order = try #require(whole.graph.layer(named: "relu/probe_channels_last_order_\(relu.port.port)"))
        #expect(try whole.graph.constView(order.id).integers(in: whole.graph.weights) == [0, 2, 3, 1])
    }

    @Test func summariesMergeLikeOnePass() {
        let all: [Float] = [-3, 1, 2, 8, 0.5, -1]
        var merged = TensorSummary()
        all[..<2].withUnsafeBufferPointer { merged.merge(TensorSummary($0)) }
        all[2...].withUnsafeBufferPointer { merged.merge(TensorSummary($0)) }
        let whole = all.withUnsafeBufferPointer { TensorSummary($0) }
        #expect(merged.count == 6 && merged.minimum == -3 && merged.maximum == 8)
        #expect(abs(merged.mean - whole.mean) < 1e-12)
        #expect(abs(merged.mean - 7.5 / 6) < 1e-12)
        #expect(abs(merged.standardDeviation - whole.standardDeviation) < 1e-9)
    }
}
