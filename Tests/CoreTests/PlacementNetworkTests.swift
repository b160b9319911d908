import Testing
import TestSupport

@testable import Core

/// Quantizer placement on the small networks of `PlacementNetworks`: a FakeQuantize never
/// moves above an op that makes new values, those ops get their own, Concat inputs share
/// a range whatever else they feed, and every weighted op gets int8 weights.
struct PlacementNetworkTests {
    /// The plan's activations as `name → names of the layers whose inputs the FakeQuantize feeds`.
    private func placements(_ graph: IRGraph) throws -> [String: Set<String>] {
        let plan = try QuantizationPlan(graph: graph)
        return Dictionary(uniqueKeysWithValues: plan.activations.map { activation in
            (activation.name, Set(activation.consumers.compactMap { graph.layer($0.layer)?.name }))
        })
    }

    @Test func anInterpolateStopsTheFakeQuantizeAndGetsItsOwn() throws {
        let found = try placements(PlacementNetworks.interpolate())
        #expect(found == ["image": ["conv1/conv"], "relu1": ["upsample"], "upsample": ["conv2/conv"]])
    }

    @Test func aSqueezeExcitationBlockIsQuantizedAroundEveryNewValue() throws {
        let found = try placements(PlacementNetworks.squeezeExcitation())
        #expect(found == [
            "image": ["conv1/conv"], "relu1": ["squeeze", "se.scale"], "squeeze": ["se.reduce/conv"],
            "se.relu": ["se.expand/conv"], "se.gate": ["se.scale"], "se.scale": ["conv2/conv"],
        ])
    }

    @Test func aPReluOutputFeedsTheNextConvolutionThroughItsOwnFakeQuantize() throws {
        let found = try placements(PlacementNetworks.prelu())
        #expect(found == ["image": ["conv1/conv"], "prelu1": ["conv2/conv"]])
    }

    @Test func everyWeightedOpGetsInt8Weights() throws {
        for (name, weighted) in [
            ("depthwise", ["conv1/conv", "dw", "conv2/conv"]), ("deconvolution", ["conv1/conv", "up", "conv2/conv"]),
            ("matmul", ["conv1/conv", "fc1", "fc2"]),
        ] {
            let graph = try #require(PlacementNetworks.all.first { $0.name == name }?.graph)
            let plan = try QuantizationPlan(graph: graph)
            #expect(plan.weights.compactMap { graph.layer($0.layer)?.name } == weighted, "\(name)")
            #expect(plan.weights.filter(\.isFirstLayer).compactMap { graph.layer($0.layer)?.name } == ["conv1/conv"])
        }
        let found = try placements(PlacementNetworks.matMulHead())
        // The FakeQuantize for fc1 moves above the Reshape, which only rearranges values.
        #expect(found == ["image": ["conv1/conv"], "relu1": ["pool"], "pool": ["flatten"], "fc1.relu": ["fc2"]])
    }

    @Test func aFakeQuantizeMovesAboveAMaxPoolWhoseIndicesAreUnused() throws {
        let found = try placements(PlacementNetworks.blazeBlock())
        #expect(found == [
            "image": ["conv1/conv"], "relu1": ["dw", "pool"], "dw": ["project/conv"], "project": ["sum"],
            "relu2": ["conv2/conv"],
        ])
    }

    @Test func aClampKeepsTheFakeQuantizeBelowIt() throws {
        let found = try placements(PlacementNetworks.hardSwish())
        #expect(found == [
            "image": ["conv1/conv"], "conv1": ["product"], "clamp.high": ["product"], "hswish": ["conv2/conv"],
        ])
    }

    @Test func concatInputsShareARangeAlsoWhenOneFeedsAnotherConvolution() throws {
        let graph = PlacementNetworks.sharedConcatInput()
        let plan = try QuantizationPlan(graph: graph)
        let a = try #require(plan.activations.first { $0.name == "a" })
        let b = try #require(plan.activations.first { $0.name == "b" })
        #expect(a.group == b.group)
        #expect(Set(a.consumers.compactMap { graph.layer($0.layer)?.name }) == ["conv.only.a/conv", "joined"])
        #expect(Set(plan.activations.map(\.group)).count == 2, "the image and the Concat inputs")
        // Ranges of the two differ by 100x; the shared range covers both.
        var statistics = CalibrationStatistics(modelDigest: "m", tensorNames: plan.activations.map(\.name))
        for (index, activation) in plan.activations.enumerated() {
            let values: [Float] = activation.name == "b" ? [0, 133] : [0, 0.86]
            values.withUnsafeBufferPointer { statistics.record(tensor: index, image: 0, values: $0) }
        }
        let ranges = try RangeSelector().ranges(plan: plan, statistics: statistics)
        let index = try #require(plan.activations.firstIndex { $0.name == "a" })
        #expect(ranges[index] == ActivationRange(low: 0, high: 133))
    }

    @Test func aTensorReadOnlyByDepthwiseConvolutionsIsQuantizedPerChannel() throws {
        let depthwise = try QuantizationPlan(graph: PlacementNetworks.depthwise())
        #expect(depthwise.activations.map(\.channelAxis) == [nil, 1, nil])
        // In the blaze block relu1 also feeds a MaxPool: one range for the tensor.
        let blaze = try QuantizationPlan(graph: PlacementNetworks.blazeBlock())
        #expect(blaze.activations.allSatisfy { $0.channelAxis == nil })
        // Above a Pad that feeds only the depthwise conv, still per channel.
        let graph = PlacementNetworks.paddedDepthwise()
        let padded = try QuantizationPlan(graph: graph)
        let relu = try #require(padded.activations.first { $0.name == "relu1" })
        #expect(relu.channelAxis == 1 && relu.consumers.compactMap { graph.layer($0.layer)?.name } == ["pad"])
    }

    @Test func perChannelRangesComeFromGlobalChannelExtremesAndBecomeChannelLimits() throws {
        let graph = PlacementNetworks.depthwise()
        let plan = try QuantizationPlan(graph: graph)
        let reductions = ChannelReduction.collected(plan: plan, biasCorrection: BiasCorrectionPlan(graph: graph, plan: plan))
        #expect(reductions.prefix(2).map(\.name) == ["relu1/minimum", "relu1/maximum"])
        var statistics = CalibrationStatistics(
            modelDigest: "m", tensorNames: plan.activations.map(\.name), channelNames: reductions.map(\.name))
        for image in 0..<2 {
            for tensor in plan.activations.indices {
                [Float(-1), 4].withUnsafeBufferPointer { statistics.record(tensor: tensor, image: image, values: $0) }
            }
            // Channel c: minimum -c/2 (image 1), maximum c + 1 + image.
            let minima = (0..<8).map { -Float($0) / 2 * Float(image) }
            let maxima = (0..<8).map { Float($0 + 1 + image) }
            minima.withUnsafeBufferPointer { statistics.recordChannelFigures(0, image: image, values: $0) }
            maxima.withUnsafeBufferPointer { statistics.recordChannelFigures(1, image: image, values: $0) }
        }
        let ranges = try RangeSelector().ranges(plan: plan, statistics: statistics)
        let channels = try #require(ranges[1].channels)
        // Signed (the tensor has negative values): high = max(|min|, max), low = -high * 256/254.
        let expectedHighs: [Float] = (0..<8).map { channel in Float(max(Double(channel) / 2, Double(channel + 2))) }
        let expectedLows: [Float] = channels.map { range in Float(-Double(range.high) * 256 / 254) }
        #expect(channels.map(\.high) == expectedHighs)
        #expect(channels.map(\.low) == expectedLows)
        #expect(ranges[0].channels == nil && ranges[2].channels == nil)
        // Histogram methods keep one histogram per tensor: one range.
        #expect(try RangeSelector(method: .kl).ranges(plan: plan, statistics: statistics)[1].channels == nil)

        let quantized = try QuantizedModelWriter.quantize(graph, plan: plan, ranges: ranges)
        let low = try #require(quantized.layer(named: "relu1/fq/input_low"))
        #expect(try quantized.constView(low.id).shape == [1, 8, 1, 1])
        var missing = CalibrationStatistics(modelDigest: "m", tensorNames: plan.activations.map(\.name))
        for tensor in plan.activations.indices {
            [Float(-1), 4].withUnsafeBufferPointer { missing.record(tensor: tensor, image: 0, values: $0) }
        }
        #expect(throws: StatisticsError.mismatch("the statistics have no per-channel minima and maxima of relu1")) {
            try RangeSelector().ranges(plan: plan, statistics: missing)
        }
    }
}
