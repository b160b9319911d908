import Testing
import TestSupport

@testable import Core

/// The single-output edit's graph: what it adds, and what it refuses.
struct SingleOutputEditTests {
    @Test func addsOneConcatenatedOutputAndKeepsTheOthers() throws {
        let graph = try SSDResNet34(resolution: 300).makeGraph()
        let edited = try SingleOutputEdit.apply(to: graph)
        #expect(edited.layers(ofType: "Result").count == 4)
        let concat = try #require(edited.layer(named: "output/concat"))
        #expect(concat.outputs[0].names == ["output"] && concat.outputs[0].dims == [1, -1, 7])
        #expect(edited.layers(ofType: "Convert").contains { $0.name == "output/labels/to_f32" })
    }

    @Test func aModelWithoutDetectionOutputsIsRefusedNamingWhatIsMissing() {
        #expect(throws: IRError.invalidNetwork("no output whose name contains 'bboxes' (outputs: out)")) {
            try SingleOutputEdit.apply(to: PlacementNetworks.prelu())
        }
    }
}
