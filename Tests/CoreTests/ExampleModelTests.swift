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
