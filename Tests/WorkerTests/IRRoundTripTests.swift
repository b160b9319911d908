import Core
import Foundation
import Testing
import Worker

/// Round trips through calib's reader and writer must not change what OpenVINO computes.
@Suite(.serialized) struct IRRoundTripTests {
    let input = ExampleModelFixture.input(index: 1)

    @Test func projectWrittenIRRoundTripsToIdenticalBytesAndOutputs() throws {
        let graph = ExampleModelFixture.graph
        let xml = IRWriter.xml(of: graph)
        let reread = try IRReader.read(xml: xml, weights: graph.weights)
        #expect(IRWriter.xml(of: reread) == xml)
        #expect(reread.weights == graph.weights)
        let original = try ExampleModelFixture.outputs(of: graph, input: input)
        let roundTripped = try ExampleModelFixture.outputs(of: reread, input: input)
        #expect(original.map(\.shape) == roundTripped.map(\.shape))
        #expect(original.map(\.values) == roundTripped.map(\.values))
    }

    @Test func irWrittenByOpenVINOsSerializerReadsAndRunsTheSame() throws {
        let scratch = try TemporaryFolder()
        defer { scratch.remove() }
        let folder = scratch.url
        let source = folder.appendingPathComponent("ours.xml").path
        try IRFiles.write(ExampleModelFixture.graph, xmlPath: source)
        let serialized = folder.appendingPathComponent("openvino.xml").path
        try runSerializer(source, serialized)
        let theirs = try IRFiles.read(xmlPath: serialized)
        #expect(theirs.layers.count > 200)
        let rewritten = try IRReader.read(xml: IRWriter.xml(of: theirs), weights: theirs.weights)
        let expected = try ExampleModelFixture.outputs(of: ExampleModelFixture.graph, input: input)
        #expect(try ExampleModelFixture.outputs(of: theirs, input: input).map(\.values) == expected.map(\.values))
        #expect(try ExampleModelFixture.outputs(of: rewritten, input: input).map(\.values) == expected.map(\.values))
    }

    @Test func fp16IRWithLegacyMetaDataReadsAndRunsTheSame() throws {
        let graph = ExampleModelFixture.halfPrecisionGraph
        // What old converters wrote when the output folder existed; it broke POT.
        let legacy = String(decoding: IRWriter.xml(of: graph), as: UTF8.self)
            .replacingOccurrences(of: "<data_type value=\"FP16\"/>", with: "<data_type value=\"DIR\"/>")
        #expect(legacy.contains("<data_type value=\"DIR\"/>"))
        let read = try IRReader.read(xml: Array(legacy.utf8), weights: graph.weights)
        #expect(read.layers(ofType: "Const").contains { $0.attribute("element_type") == "f16" })
        #expect(String(decoding: IRWriter.xml(of: read), as: UTF8.self) == legacy)
        let expected = try ExampleModelFixture.outputs(of: graph, input: input)
        #expect(try ExampleModelFixture.outputs(of: read, input: input).map(\.values) == expected.map(\.values))
    }

    private func runSerializer(_ source: String, _ destination: String) throws {
        let tool = ExampleModelFixture.packageRoot.appendingPathComponent(".build/debug/ov-serialize")
        try #require(
            FileManager.default.isExecutableFile(atPath: tool.path),
            "build it first: swift build --product ov-serialize")
        let process = Process()
        process.executableURL = tool
        process.arguments = [source, destination, IRFiles.weightsPath(for: destination)]
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0)
    }
}
