import Core
import Foundation
import Testing
import Worker

/// A model with a dynamic input calibrates with `--input-shape`, in this process and with
/// workers (the shape travels in the job), to the same bytes.
@Suite(.serialized) struct InputShapeTests {
    @Test func aDynamicInputNeedsAShapeAndWorkersUseTheSameOne() throws {
        let workspace = try TinyWorkspace(images: 4)
        defer { workspace.remove() }
        var graph = TinyModels.convolutions()
        var parameter = try #require(graph.layers(ofType: "Parameter").first)
        parameter.setAttribute("shape", "?,3,?,?")
        parameter.outputs[0].dims = [-1, 3, -1, -1]
        try graph.updateLayer(parameter)
        let model = try workspace.write(graph, as: "dynamic.xml")
        let common = ["run", "--model", model, "--data", workspace.images.path, "--threads", "2"]

        let refused = try CalibProcess.run(common + ["--output", workspace.path("q.xml")], timeout: 60)
        #expect(refused.exitedNormally && refused.status != 0)
        #expect(refused.standardError.contains("has dynamic shape [-1, 3, -1, -1]: give the shape to calibrate with"))

        let local = try CalibProcess.run(common + ["--output", workspace.path("local.xml"), "--input-shape", "1,3,16,16"], timeout: 60)
        #expect(local.status == 0, "\(local.standardError)")
        let distributed = try CalibProcess.run(
            common + ["--output", workspace.path("workers.xml"), "--input-shape", "1,3,16,16", "--workers", "2"], timeout: 120)
        #expect(distributed.status == 0, "\(distributed.standardError)")
        for suffix in ["xml", "bin"] {
            #expect(
                try Data(contentsOf: URL(fileURLWithPath: workspace.path("local.\(suffix)")))
                    == Data(contentsOf: URL(fileURLWithPath: workspace.path("workers.\(suffix)"))))
        }
        let written = try IRFiles.read(xmlPath: workspace.path("local.xml"))
        #expect(written.layers(ofType: "Parameter").first?.attribute("shape") == "?,3,?,?")
    }
}
