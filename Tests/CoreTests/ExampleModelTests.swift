import Testing

@testable import Core

@Suite struct ExampleModelTests {
    @Test func referenceResolutionHasMLPerfShapesAndCost() throws {
        let model = try SSDResNet34(resolution: 1200)
        #expect(model.strides == SSDResNet34.largeStrides)
        #expect(SSDResNet34.sourceSizes(resolution: 1200, strides: model.strides) == [150, 75, 38, 19, 9, 7])
        #expect(SSDResNet34.headMapSizes(resolution: 1200, strides: model.strides) == [50, 25, 13, 7, 3, 3])
        #expect(model.defaultBoxes.count == 15130)
        let graph = model.makeGraph()
        let cost = try ModelCost(graph: graph)
        // Published: 216.4 GMAC (433 GFLOP) and 20.0 M parameters.
        #expect((Double(cost.multiplyAccumulates) / 1e9 * 10).rounded() / 10 == 216.4)
        #expect((Double(cost.parameters) / 1e6 * 10).rounded() / 10 == 20.0)
        let locs = try #require(graph.layer(named: "locs"))
        #expect(locs.outputs[0].dims == [1, 4, 15130])
        let confs = try #require(graph.layer(named: "confs"))
        #expect(confs.outputs[0].dims == [1, 81, 15130])
    }
}

extension ExampleModelTests {
    @Test func smallResolutionUsesTheMLPerf300Strides() throws {
        let model = try SSDResNet34(resolution: 300)
        #expect(model.strides == SSDResNet34.smallStrides)
        #expect(SSDResNet34.headMapSizes(resolution: 300, strides: model.strides) == [38, 19, 10, 5, 3, 1])
        #expect(model.defaultBoxes.count == 8732)
        let cost = try ModelCost(graph: model.makeGraph())
        // MLPerf: 31.7 GFLOP at 300.
        #expect((Double(2 * cost.multiplyAccumulates) / 1e9 * 10).rounded() / 10 == 31.7)
    }

    @Test func weightsAreDeterministicAndIndependentOfResolution() throws {
        let small = try SSDResNet34(resolution: 300).makeGraph()
        let again = try SSDResNet34(resolution: 300).makeGraph()
        #expect(small.weights == again.weights)
        let conv = try #require(small.layer(named: "backbone.layer3.5.conv2.weight"))
        let large = try SSDResNet34(resolution: 600).makeGraph()
        let sameConv = try #require(large.layer(named: "backbone.layer3.5.conv2.weight"))
        #expect(try small.constView(conv.id).floats(in: small.weights) == large.constView(sameConv.id).floats(in: large.weights))
        #expect(try SSDResNet34(resolution: 300, seed: 7).makeGraph().weights != small.weights)
    }

    @Test func everyResolutionFromTheMinimumHasBoxesOnEveryHeadMapAndBelowItIsRefused() throws {
        let minimum = SSDResNet34.minimumResolution
        #expect(minimum == 257)
        #expect(throws: IRError.self) { try SSDResNet34(resolution: minimum - 1) }
        for resolution in [minimum, minimum + 1, 299, 301, 599, 600, 601] {
            let model = try SSDResNet34(resolution: resolution)
            #expect(SSDResNet34.headMapSizes(resolution: resolution, strides: model.strides).allSatisfy { $0 > 0 })
            #expect(model.defaultBoxes.count > 0)
        }
    }

    @Test func defaultBoxesFollowTheMLPerfGenerator() throws {
        let boxes = try SSDResNet34(resolution: 1200).defaultBoxes.boxes
        // First box: centre of cell (0, 0) of the 50x50 map with step int(1200/50) = 24,
        // size scales[0] = int(21 * 1200 / 300) = 84 pixels.
        #expect(boxes[0] == Float(0.5 / 50.0))
        #expect(boxes[1] == Float(0.5 / 50.0))
        #expect(boxes[2] == Float(84.0 / 1200.0))
        // Second box: sqrt(84 * 180) / 1200.
        #expect(abs(boxes[6] - Float((84.0 * 180.0).squareRoot() / 1200.0)) < 1e-7)
        #expect(boxes.allSatisfy { $0 >= 0 && $0 <= 1 })
    }

    @Test func fp16VariantStoresHalfConstsWithConvertsAndConverterMetaData() throws {
        let graph = try SSDResNet34(resolution: 300, halfPrecisionWeights: true).makeGraph()
        let halfConsts = graph.layers(ofType: "Const").filter { $0.attribute("element_type") == "f16" }
        #expect(!halfConsts.isEmpty)
        for const in halfConsts {
            let consumers = graph.consumers(of: PortReference(layer: const.id, port: 0))
            #expect(consumers.allSatisfy { graph.layer($0.layer)?.type == "Convert" })
        }
        let meta = try #require(graph.otherChildren.first { $0.name == "meta_data" })
        #expect(meta.child("cli_parameters")?.child("data_type")?[attribute: "value"] == "FP16")
        #expect(try graph.weights.count < SSDResNet34(resolution: 300).makeGraph().weights.count * 6 / 10)
    }
}
