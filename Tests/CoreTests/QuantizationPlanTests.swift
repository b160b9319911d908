import Testing

@testable import Core

@Suite struct QuantizationPlanTests {
    static let graph = try! SSDResNet34(resolution: 300).makeGraph()

    @Test func everyConvolutionGetsInt8WeightsAndOnlyTheFirstTheSaturationFix() throws {
        let plan = try QuantizationPlan(graph: Self.graph)
        let convolutions = Self.graph.layers(ofType: "Convolution")
        #expect(plan.weights.map(\.layer).sorted() == convolutions.map(\.id).sorted())
        #expect(plan.weights.filter(\.isFirstLayer).map { Self.graph.layer($0.layer)?.name } == ["backbone.conv1/conv"])
    }

    @Test func activationsSitWherePOTPutsThem() throws {
        let graph = Self.graph
        let plan = try QuantizationPlan(graph: graph)
        let names = Set(plan.activations.map(\.name))
        // The first conv reads the normalized image; the folded mean/scale stays float.
        #expect(names.contains("image/scale"))
        #expect(!names.contains("image"))
        // The MaxPool output feeds two quantized inputs (conv1 and the identity shortcut's
        // Add): one FakeQuantize above the MaxPool serves both, and the MaxPool runs int8.
        #expect(!names.contains("backbone.maxpool"))
        let pooled = try #require(plan.activations.first { activation in
            activation.consumers.contains { graph.layer($0.layer)?.name == "backbone.maxpool" }
        })
        #expect(pooled.consumers.compactMap { graph.layer($0.layer)?.type } == ["MaxPool"])
        // A residual Add quantizes both of its computed inputs; a bias Add does not.
        #expect(names.contains("backbone.layer1.0.conv2"))
        #expect(!names.contains("backbone.layer1.0.conv2/conv"))
        // The shortcut feeds conv1 of the next block and the Add: one tensor, both consumers.
        let shortcut = try #require(plan.activations.first { $0.name == "backbone.layer1.0.relu" })
        #expect(Set(shortcut.consumers.compactMap { graph.layer($0.layer)?.type }) == ["Convolution", "Add"])
        // Nothing in the post-processing: decoding, softmax, NMS, TopK.
        for activation in plan.activations {
            let layer = try #require(graph.layer(activation.tensor.layer))
            #expect(!layer.name.hasPrefix("decode/") && !layer.name.hasPrefix("scores/") && !layer.name.hasPrefix("detections/"))
            #expect(graph.port(activation.tensor)?.precision == .f32)
        }
        let excludedNames = Set(plan.excluded.compactMap { graph.layer($0)?.name })
        #expect(excludedNames.isSuperset(of: ["nms", "decode/x0y0", "scores/softmax", "locs", "Add_labels"]))
        #expect(!excludedNames.contains("loc.0/conv"))
    }

    @Test func ignoredLayersStayFloatAndUnknownNamesAreAnError() throws {
        let plan = try QuantizationPlan(graph: Self.graph, ignoredNames: ["backbone.layer1.0.add"], ignoredTypes: ["MaxPool"])
        #expect(!plan.activations.contains { $0.consumers.contains { $0.layer == Self.graph.layer(named: "backbone.layer1.0.add")?.id } })
        #expect(plan.activations.contains { $0.name == "backbone.maxpool" })
        #expect {
            try QuantizationPlan(graph: Self.graph, ignoredNames: ["no_such_layer", "Mul_490"])
        } throws: { error in
            String(describing: error).contains("no_such_layer, Mul_490")
        }
    }

    @Test func aModelWithNothingToQuantizeIsAnError() throws {
        var builder = GraphBuilder(name: "plain")
        let image = builder.parameter(name: "image", dims: [1, 3, 4, 4])
        builder.result(builder.unary("Relu", image, name: "relu"), name: "out")
        #expect {
            try QuantizationPlan(graph: builder.graph)
        } throws: { error in
            String(describing: error).contains("no quantizable operation")
        }
    }

    @Test func fakeQuantizeMovesAboveAnAgnosticOpThatFeedsOnlyIt() throws {
        var builder = GraphBuilder(name: "pool")
        let image = builder.parameter(name: "image", dims: [1, 3, 8, 8])
        let relu = builder.unary("Relu", image, name: "relu")
        let pooled = builder.maxPool(relu, kernel: 2, stride: 2, padding: 0, name: "pool")
        let weights = builder.floatConstant(name: "w", dims: [2, 3, 1, 1], values: Array(repeating: 0.5, count: 6))
        builder.result(builder.convolution(pooled, weights: weights, bias: nil, stride: 1, padding: 0, name: "conv"), name: "out")
        let plan = try QuantizationPlan(graph: builder.graph)
        #expect(plan.activations.map(\.name) == ["relu"])
        #expect(plan.activations[0].consumers == [PortReference(layer: pooled.port.layer, port: 0)])
    }

    @Test func concatInputsShareOneGroup() throws {
        var builder = GraphBuilder(name: "concat")
        let image = builder.parameter(name: "image", dims: [1, 3, 4, 4])
        let left = builder.unary("Relu", image, name: "left")
        let right = builder.unary("Sigmoid", image, name: "right")
        let joined = builder.concat([left, right], axis: 1, name: "joined")
        let weights = builder.floatConstant(name: "w", dims: [2, 6, 1, 1], values: Array(repeating: 0.5, count: 12))
        builder.result(builder.convolution(joined, weights: weights, bias: nil, stride: 1, padding: 0, name: "conv"), name: "out")
        let plan = try QuantizationPlan(graph: builder.graph)
        #expect(plan.activations.map(\.name) == ["left", "right"])
        #expect(plan.activations[0].group == plan.activations[1].group)
    }
}
