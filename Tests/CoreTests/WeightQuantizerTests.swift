import Testing

@testable import Core

/// Weights get one scale per output channel on the axis each op keeps them on (domain.md §6).
struct WeightQuantizerTests {
    @Test func outputChannelAxesFollowEachOpsWeightLayout() {
        #expect(WeightQuantizer.outputChannelAxes(layerType: "Convolution", rank: 4) == [0])
        #expect(WeightQuantizer.outputChannelAxes(layerType: "GroupConvolution", rank: 5) == [0, 1])
        #expect(WeightQuantizer.outputChannelAxes(layerType: "ConvolutionBackpropData", rank: 4) == [1])
        #expect(WeightQuantizer.outputChannelAxes(layerType: "GroupConvolutionBackpropData", rank: 5) == [0, 2])
        #expect(WeightQuantizer.outputChannelAxes(layerType: "MatMul", rank: 2) == [1])
        #expect(WeightQuantizer.outputChannelAxes(layerType: "MatMul", rank: 2, transposeB: true) == [0])
        #expect(WeightQuantizer.outputChannelAxes(layerType: "MatMul", rank: 1).isEmpty)
    }

    /// A `[8192, 16]` MatMul weight whose column 3 is 100x larger: with one scale for the
    /// whole tensor most of the other columns rounded to zero.
    @Test func aMatMulWeightKeepsEveryColumnWithItsOwnScale() {
        var generator = SeededGenerator(seed: 21)
        let weights = (0..<8192 * 16).map { index -> Float in
            let value = Float(generator.unit()) - 0.5
            return index % 16 == 3 ? value * 100 : value
        }
        let axes = WeightQuantizer.outputChannelAxes(layerType: "MatMul", rank: 2)
        let quantizer = WeightQuantizer(weights: weights, shape: [8192, 16], channelAxes: axes, isFirstLayer: false)
        #expect(quantizer.scaleShape == [1, 16])
        #expect(quantizer.scales.count == 16)
        let zeroed = zip(weights, quantizer.values).enumerated().filter { $0.offset % 16 != 3 && $0.element.1 == 0 && abs($0.element.0) > 0.01 }
        #expect(zeroed.isEmpty, "\(zeroed.count) weights of the ordinary columns lost to zero")
        for (index, (weight, integer)) in zip(weights, quantizer.values).enumerated() {
            #expect(abs(Float(integer) * quantizer.scales[index % 16] - weight) <= quantizer.scales[index % 16] / 2 + 1e-6)
        }
    }

    @Test func deconvolutionScalesFollowItsSecondAxis() {
        // [I=2, O=3, 1, 1]: output channel o holds weights (0, o) and (1, o).
        let weights: [Float] = [1, 10, 100, -2, -20, -200]
        let quantizer = WeightQuantizer(weights: weights, shape: [2, 3, 1, 1], channelAxes: [1], isFirstLayer: false)
        #expect(quantizer.scaleShape == [1, 3, 1, 1])
        #expect(quantizer.highs == [2, 20, 200])
        // Half of high is a tie: level 190.5 rounds to 190, so 63, as OpenVINO folds it.
        #expect(quantizer.values == [63, 63, 63, -127, -127, -127])
    }

    @Test func firstLayerWeightsUseSevenBitsAsNNCFWritesThem() {
        let quantizer = WeightQuantizer(weights: [1, -0.4, 0.25, 2], shape: [2, 2, 1, 1], channelAxes: [0], isFirstLayer: true)
        // Step 2 absmax / 127; 1 / (2 / 127) = 63.5 is clipped to 63, -0.4 * 63.5 = -25.4.
        #expect(quantizer.values == [63, -25, 8, 63])
        #expect(quantizer.highs == [2, 4])
        #expect(quantizer.scales == [Float(2) / 127, Float(4) / 127])
    }

    @Test func groupedDeconvolutionScalesSpanTwoAxes() {
        // [G=2, I/G=1, O/G=2, 1, 1]: channel (g, o) at scale index g * 2 + o.
        let weights: [Float] = [1, 2, 3, 4]
        let quantizer = WeightQuantizer(weights: weights, shape: [2, 1, 2, 1, 1], channelAxes: [0, 2], isFirstLayer: false)
        #expect(quantizer.scaleShape == [2, 1, 2, 1, 1])
        #expect(quantizer.highs == [1, 2, 3, 4])
        #expect(quantizer.values == [127, 127, 127, 127])
    }
}
