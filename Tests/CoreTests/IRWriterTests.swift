import Testing

@testable import Core

@Suite struct IRWriterTests {
    private func text(_ graph: IRGraph) -> String {
        String(decoding: IRWriter.xml(of: graph), as: UTF8.self)
    }

    /// read(write(g)) equals g field by field, and writing it again gives the same bytes.
    private func expectRoundTrip(_ graph: IRGraph, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = IRWriter.xml(of: graph)
        let again = try IRReader.read(xml: bytes, weights: graph.weights)
        #expect(IRFixtures.differences(again, graph) == [], sourceLocation: sourceLocation)
        #expect(IRWriter.xml(of: again) == bytes, sourceLocation: sourceLocation)
    }

    @Test func writesTheV11FixtureByteForByte() throws {
        let graph = try IRFixtures.v11Graph()
        #expect(text(graph) == IRFixtures.v11XML)
    }

    @Test func roundTripsV11() throws {
        try expectRoundTrip(IRFixtures.v11Graph())
    }

    @Test func roundTripsV10() throws {
        let graph = try IRFixtures.v10Graph()
        try expectRoundTrip(graph)
        // The v10 file is not in canonical layout (comment, alphabetical attributes), so only
        // the second write is byte-identical; the weights are passed through untouched.
        #expect(IRWriter.xml(of: graph) != IRFixtures.bytes(IRFixtures.v10XML))
        #expect(graph.weights == IRFixtures.v10Weights)
    }

    @Test func keepsLegacyMetaDataVerbatim() throws {
        let output = text(try IRFixtures.v10Graph())
        let expected = """
            \t<meta_data>
            \t\t<MO_version value="2021.4.2-3976-0943ed67223-refs/pull/539/head"/>
            \t\t<cli_parameters>
            \t\t\t<data_type value="DIR"/>
            \t\t\t<input_shape value="[1,3,8,8]"/>
            \t\t\t<mean_values value="image[123.675,116.28,103.53]"/>
            \t\t\t<scale_values value="image[58.395,57.12,57.375]"/>
            \t\t\t<reverse_input_channels value="False"/>
            \t\t\t<unset unset_cli_parameters="batch, disable_fusing, finegrain_fusing"/>
            \t\t</cli_parameters>
            \t</meta_data>
            </net>

            """
        #expect(output.hasSuffix(expected))
        #expect(output.hasPrefix("<?xml version=\"1.0\"?>\n<net name=\"tiny_fp16\" version=\"10\">\n\t<layers>\n"))
    }

    @Test func escapesCommasInNames() throws {
        var graph = try IRFixtures.v11Graph()
        var relu = try #require(graph.layer(named: "relu1"))
        relu.outputs[0].names = ["a,b", "c", "d,,e"]
        try graph.updateLayer(relu)
        #expect(text(graph).contains(#"<port id="1" precision="FP32" names="a\,b,c,d\,\,e">"#))
        try expectRoundTrip(graph)
        #expect(IRWriter.joinNames(["x,y", "z"]) == #"x\,y,z"#)
    }

    @Test func omitsEmptyDataPortsPrecisionAndNames() throws {
        let layer = Layer(
            id: 7, name: "bare", type: "Custom", version: nil,
            inputs: [Port(id: 0)], otherAttributes: [.init("extra", "1"), .init("name", "ignored")])
        let element = IRWriter.element(of: layer)
        #expect(element.attributes == [.init("id", "7"), .init("name", "bare"), .init("type", "Custom"), .init("extra", "1")])
        #expect(element.children.map(\.name) == ["input"])
        #expect(element.children[0].children == [XMLElement(name: "port", attributes: [.init("id", "0")])])

        let port = Port(
            id: 3, precision: .i64, dims: [2, -1], names: ["n"], otherAttributes: [.init("note", "x")],
            otherChildren: [XMLElement(name: "rt_info")])
        #expect(
            IRWriter.element(of: port)
                == XMLElement(
                    name: "port",
                    attributes: [.init("id", "3"), .init("precision", "I64"), .init("names", "n"), .init("note", "x")],
                    children: [XMLElement(name: "dim", text: "2"), XMLElement(name: "dim", text: "-1"), XMLElement(name: "rt_info")]))
    }

    @Test func roundTripsAGraphBuiltInCode() throws {
        var graph = try IRGraph(
            name: "built & <named> \"net\"", version: 10, otherAttributes: [.init("batch", "1")],
            otherChildren: [
                XMLElement(name: "rt_info", children: [XMLElement(name: "framework", attributes: [.init("value", "onnx")])]),
            ])
        let input = graph.addLayer(
            type: "Parameter", name: "in,put", data: [.init("shape", "1,2"), .init("element_type", "f32")], inputs: [],
            outputs: [(.f32, [1, 2])], outputNames: [["in,put", "x y"]])
        let weights = try graph.addConst(
            name: "w", elementType: .f32, shape: [2, 2], bytes: IRFixtures.f32Bytes([1, 2, 3, 4]))
        let matmul = graph.addLayer(
            type: "MatMul", name: "mm \"quoted\" <&>", data: [.init("transpose_a", "false"), .init("transpose_b", "true")],
            inputs: [(.f32, [1, 2]), (.f32, [2, 2])], outputs: [(.f32, [1, 2])])
        try graph.connect(PortReference(layer: input, port: 0), to: PortReference(layer: matmul, port: 0))
        try graph.connect(weights, to: PortReference(layer: matmul, port: 1))
        try graph.addLayer(
            Layer(
                id: 10, name: "custom", type: "Custom", version: nil, inputs: [Port(id: 0)],
                outputs: [
                    Port(
                        id: 1, precision: .i64, dims: [-1], names: ["c"], otherAttributes: [.init("extra", "1")],
                        otherChildren: [XMLElement(name: "rt_info", children: [XMLElement(name: "attribute", attributes: [.init("name", "x")])])]),
                ],
                otherAttributes: [.init("note", "tab\there")],
                otherChildren: [XMLElement(name: "rt_info", text: "free text")]))
        try graph.connect(PortReference(layer: matmul, port: 2), to: PortReference(layer: 10, port: 0))
        try graph.addResult(on: PortReference(layer: 10, port: 1), name: "out")
        try expectRoundTrip(graph)

        let output = text(graph)
        #expect(output.hasPrefix(#"<?xml version="1.0"?>"# + "\n" + #"<net name="built &amp; &lt;named&gt; &quot;net&quot;" version="10" batch="1">"#))
        #expect(output.contains(#"<layer id="10" name="custom" type="Custom" note="tab&#9;here">"#))
        #expect(output.contains("\t\t\t<rt_info>free text</rt_info>\n"))
        #expect(output.contains(#"<edge from-layer="10" from-port="1" to-layer="11" to-port="0"/>"#))
    }

    @Test func writesEdgesAndLayersInGraphOrder() throws {
        let output = text(try IRFixtures.v10Graph())
        let edges = output.split(separator: "\n").filter { $0.contains("<edge ") }.map { $0.trimmingTabs }
        #expect(edges == [
            #"<edge from-layer="0" from-port="0" to-layer="3" to-port="0"/>"#,
            #"<edge from-layer="1" from-port="0" to-layer="2" to-port="0"/>"#,
            #"<edge from-layer="2" from-port="1" to-layer="3" to-port="1"/>"#,
            #"<edge from-layer="3" from-port="2" to-layer="4" to-port="0"/>"#,
            #"<edge from-layer="4" from-port="1" to-layer="5" to-port="0"/>"#,
        ])
        let layerIDs = output.split(separator: "\n").filter { $0.contains("<layer ") }.map { $0.trimmingTabs.prefix(13) }
        #expect(layerIDs == ["<layer id=\"0\"", "<layer id=\"1\"", "<layer id=\"2\"", "<layer id=\"3\"", "<layer id=\"4\"", "<layer id=\"5\""])
    }

    /// A scalar (`dims == []`) and unknown dims (`nil`) are both written without `<dim>`;
    /// the file cannot tell them apart, and the reader returns nil.
    @Test func scalarDimsReadBackAsNil() throws {
        var graph = try IRGraph(name: "scalar")
        let scale = try graph.addConst(name: "scale", elementType: .f32, shape: [], bytes: IRFixtures.f32Bytes([0.5]))
        let again = try IRReader.read(xml: IRWriter.xml(of: graph), weights: graph.weights)
        #expect(graph.layer(scale.layer)?.outputs[0].dims == [])
        #expect(again.layer(scale.layer)?.outputs[0].dims == nil)
        #expect(try again.constView(scale.layer).shape == [])
    }

    @Test func roundTripsALargeIR() throws {
        let bytes = IRFixtures.bytes(IRFixtures.chainXML(layers: 600))
        let graph = try IRReader.read(xml: bytes, weights: [])
        #expect(graph.layers.count == 600)
        try expectRoundTrip(graph)
    }
}

extension Substring {
    fileprivate var trimmingTabs: Substring { drop { $0 == "\t" } }
}
