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
}
