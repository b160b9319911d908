import Testing

@testable import Core

/// FastBiasCorrection's arithmetic (domain.md §7): a layer's mean output on a blob of
/// input means, the bias shift between its FP32 and int8 weights, and NNCF's rules for
/// skipping a layer.
struct BiasCorrectionTests {
    /// image [1,2,5,5] → conv 3x3 stride 2 pad 1 (3 channels, bias `bias`) → result.
    private func convolution(bias: [Float]) -> IRGraph {
        var builder = GraphBuilder(name: "conv")
        let image = builder.parameter(name: "image", dims: [1, 2, 5, 5])
        let weights = builder.floatConstant(name: "w", dims: [3, 2, 3, 3], values: (0..<54).map { Float(($0 * 7) % 13) / 10 - 0.6 })
        let biasConstant = builder.floatConstant(name: "b", dims: [1, 3, 1, 1], values: bias)
        builder.result(builder.convolution(image, weights: weights, bias: biasConstant, stride: 2, padding: 1, name: "conv"), name: "out")
        return builder.graph
    }

    @Test func tapCoverageCountsPositionsInsideTheInput() {
        // 5 wide, 3 taps, stride 2, padding 1: outputs 0, 1, 2 read from -1+tap, 1+tap, 3+tap,
        // so tap 0 misses at output 0 and tap 2 at output 2.
        #expect(BiasCorrection.tapCoverage(taps: 3, inputSize: 5, outputSize: 3, stride: 2, padding: 1, dilation: 1) == [2.0 / 3, 1, 2.0 / 3])
    }

    @Test func theInt8MeanIsTheConvolutionOfABlobOfMeansWithZeroPadding() throws {
        let graph = convolution(bias: [0.1, -0.2, 0.3])
        let plan = try QuantizationPlan(graph: graph)
        let correction = BiasCorrectionPlan(graph: graph, plan: plan)
        let entry = try #require(correction.layers.first)
        let layer = try graph.requireLayer(entry.layer)
        let view = try graph.constView(plan.weights[0].constant)
        let quantizer = WeightQuantizer(
            weights: try view.floats(in: graph.weights), shape: view.shape, channelAxes: [0], isFirstLayer: plan.weights[0].isFirstLayer)
        let means = [0.75, -1.5]
        let w = quantizer.dequantized()
        let found = try #require(try BiasCorrection.blobOutputMeans(of: layer, weights: w, shape: view.shape, inputMeans: means))
        // Brute force: the convolution over the whole blob, then the mean of each output channel.
        var expected = [Double](repeating: 0, count: 3)
        for o in 0..<3 {
            for y in 0..<3 {
                for x in 0..<3 {
                    for c in 0..<2 {
                        for kh in 0..<3 {
                            for kw in 0..<3 where (0..<5).contains(2 * y - 1 + kh) && (0..<5).contains(2 * x - 1 + kw) {
                                expected[o] += Double(w[((o * 2 + c) * 3 + kh) * 3 + kw]) * means[c] / 9
                            }
                        }
                    }
                }
            }
        }
        #expect(zip(found, expected).allSatisfy { abs($0 - $1) < 1e-9 }, "\(found) vs \(expected)")
    }

    /// The outcome for statistics in which the input means are `inputMeans`.
    private func outcome(bias: [Float], inputMeans: [Float]) throws -> BiasCorrection.Outcome {
        let graph = convolution(bias: bias)
        let plan = try QuantizationPlan(graph: graph)
        let correction = BiasCorrectionPlan(graph: graph, plan: plan)
        #expect(correction.meanTensors.map(\.name) == ["image/mean"])
        var statistics = CalibrationStatistics(
            modelDigest: "m", tensorNames: plan.activations.map(\.name), channelNames: correction.meanTensors.map(\.name))
        inputMeans.withUnsafeBufferPointer { statistics.recordChannelFigures(0, image: 0, values: $0) }
        return try #require(try BiasCorrection.outcomes(graph: graph, plan: plan, correction: correction, statistics: statistics).first)
    }

    @Test func theShiftIsTheFP32LayerMinusTheInt8LayerOnTheBlob() throws {
        let found = try outcome(bias: [0.5, -0.5, 1], inputMeans: [0.75, -1.5])
        #expect(found.isApplied)
        let graph = convolution(bias: [0.5, -0.5, 1])
        let plan = try QuantizationPlan(graph: graph)
        let layer = try graph.requireLayer(plan.weights[0].layer)
        let view = try graph.constView(plan.weights[0].constant)
        let weights = try view.floats(in: graph.weights)
        let quantizer = WeightQuantizer(weights: weights, shape: view.shape, channelAxes: [0], isFirstLayer: plan.weights[0].isFirstLayer)
        // The FP32 input means enter the layer as they are (after its input's FakeQuantize).
        let means = [Double(Float(0.75)), Double(Float(-1.5))]
        let fp32 = try #require(try BiasCorrection.blobOutputMeans(of: layer, weights: weights, shape: view.shape, inputMeans: means))
        let int8 = try #require(
            try BiasCorrection.blobOutputMeans(of: layer, weights: quantizer.dequantized(), shape: view.shape, inputMeans: means))
        for (channel, bias) in [0.5, -0.5, 1.0].enumerated() {
            #expect(found.correctedBias[channel] == Float(bias + (fp32[channel] - int8[channel])))
            #expect(fp32[channel] != int8[channel], "the 7-bit first layer loses precision")
        }
    }

    @Test func aZeroBiasOrAChangeOfTwoHundredPercentIsSkipped() throws {
        let zero = try outcome(bias: [0.5, 0, 1], inputMeans: [0.75, -1.5])
        #expect(!zero.isApplied && zero.largestRelativeChange == .infinity)
        let large = try outcome(bias: [1e-6, 1e-6, 1e-6], inputMeans: [75, -150])
        #expect(!large.isApplied && large.largestRelativeChange >= BiasCorrection.maximumRelativeChange)
    }

    @Test func theExampleModelCorrectsEveryConvolutionWithABias() throws {
        let graph = try SSDResNet34(resolution: 300).makeGraph()
        let plan = try QuantizationPlan(graph: graph)
        let correction = BiasCorrectionPlan(graph: graph, plan: plan)
        let withBias = plan.weights.filter { weight in
            graph.consumers(of: PortReference(layer: weight.layer, port: graph.layer(weight.layer)!.outputs[0].id))
                .compactMap { graph.layer($0.layer)?.type } == ["Add"]
        }
        #expect(correction.layers.count == withBias.count)
        #expect(correction.layers.count > 40)
        #expect(Set(correction.meanTensors.map(\.name)).count == correction.meanTensors.count)
    }
}
