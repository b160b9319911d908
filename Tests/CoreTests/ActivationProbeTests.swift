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
