import Testing

@testable import Core

@Suite struct IRReaderTests {
    private func read(_ xml: String, weights: [UInt8] = IRFixtures.v11Weights) throws -> IRGraph {
        try IRReader.read(xml: IRFixtures.bytes(xml), weights: weights)
    }

    /// The error reading `xml` throws, checked to be an `IRError`.
    private func error(
        _ xml: String, weights: [UInt8] = IRFixtures.v11Weights, sourceLocation: SourceLocation = #_sourceLocation
    ) -> IRError? {
        let found = IRFixtures.irError { _ = try read(xml, weights: weights) }
        #expect(found != nil, "reading did not fail with an IRError", sourceLocation: sourceLocation)
        return found
    }

    // MARK: IR v11

    @Test func readsLayersPortsAndEdgesOfV11() throws {
        let graph = try IRFixtures.v11Graph()
        #expect(graph.name == "tiny")
        #expect(graph.version == 11)
        #expect(graph.layers.map(\.type) == ["Parameter", "Const", "Convolution", "ReLU", "Result"])
        #expect(graph.layers.map(\.id) == [0, 1, 2, 3, 4])
        #expect(graph.edges == [
            Edge(fromLayer: 0, fromPort: 0, toLayer: 2, toPort: 0), Edge(fromLayer: 1, fromPort: 0, toLayer: 2, toPort: 1),
            Edge(fromLayer: 2, fromPort: 2, toLayer: 3, toPort: 0), Edge(fromLayer: 3, fromPort: 1, toLayer: 4, toPort: 0),
        ])
        #expect(graph.weights == IRFixtures.v11Weights)

        let conv = try #require(graph.layer(named: "conv1"))
        #expect(conv.version == "opset1")
        #expect(conv.data.map(\.name) == ["strides", "dilations", "pads_begin", "pads_end", "auto_pad"])
        #expect(try conv.ints("pads_begin") == [1, 1])
        #expect(conv.inputs.map(\.id) == [0, 1])
        #expect(conv.inputs[1].dims == [4, 3, 3, 3])
        #expect(conv.inputs[1].precision == .f32)
        #expect(conv.inputs[1].names.isEmpty)
        let output = try #require(conv.output(2))
        #expect(output.dims == [1, 4, 8, 8])
        #expect(output.names == ["conv1"])
        #expect(output.otherChildren.map(\.name) == ["rt_info"])
        #expect(output.otherChildren[0].children[0][attribute: "layout"] == "[N,C,H,W]")
        #expect(conv.otherChildren.map(\.name) == ["rt_info"])
        #expect(conv.otherChildren[0].children[0][attribute: "value"] == "conv1,bias1")
        #expect(graph.layer(named: "relu1")?.outputs[0].names == ["relu1", "features"])
        #expect(graph.layer(4)?.outputs.isEmpty == true)
        #expect(graph.layer(4)?.data.isEmpty == true)

        #expect(graph.otherAttributes.isEmpty)
        #expect(graph.otherChildren.map(\.name) == ["rt_info"])
        #expect(graph.otherChildren[0].child("conversion_parameters")?.child("framework")?[attribute: "value"] == "onnx")
        // Kept elements carry no source lines, so equality ignores layout.
        #expect(graph.otherChildren[0].line == 0 && conv.otherChildren[0].line == 0)
    }

    @Test func readsConstValuesFromTheWeights() throws {
        let graph = try IRFixtures.v11Graph()
        let view = try graph.constView(1)
        #expect(view.elementType == .f32)
        #expect(view.shape == [4, 3, 3, 3])
        #expect(try view.floats(in: graph.weights) == IRFixtures.convolutionWeights)
        #expect(graph.producers(ofLayer: 2) == [PortReference(layer: 0, port: 0), PortReference(layer: 1, port: 0)])
    }

    // MARK: IR v10

    @Test func readsV10WithF16ConstAndConvert() throws {
        let graph = try IRFixtures.v10Graph()
        #expect(graph.version == 10)
        #expect(graph.name == "tiny_fp16")
        #expect(graph.layers.map(\.type) == ["Parameter", "Const", "Convert", "Convolution", "ReLU", "Result"])
        let view = try graph.constView(1)
        #expect(view.elementType == .f16)
        let expected = IRFixtures.convolutionWeights.map { HalfFloat.float(fromBits: HalfFloat.bits(from: $0)) }
        #expect(try view.floats(in: graph.weights) == expected)
        #expect(graph.layer(1)?.outputs[0].precision == .f16)
        #expect(graph.layer(2)?.attribute("destination_type") == "f32")
        // Input ports without a precision read as nil.
        #expect(graph.layer(3)?.inputs.allSatisfy { $0.precision == nil } == true)
        #expect(graph.layer(0)?.outputs[0].names == ["image"])
    }

    @Test func keepsLegacyMetaDataUntouched() throws {
        let graph = try IRFixtures.v10Graph()
        #expect(graph.otherChildren.count == 1)
        let meta = try #require(graph.otherChildren.first)
        let cli = [
            ("data_type", "DIR"), ("input_shape", "[1,3,8,8]"), ("mean_values", "image[123.675,116.28,103.53]"),
            ("scale_values", "image[58.395,57.12,57.375]"), ("reverse_input_channels", "False"),
        ].map { XMLElement(name: $0.0, attributes: [.init("value", $0.1)]) }
        let expected = XMLElement(
            name: "meta_data",
            children: [
                XMLElement(
                    name: "MO_version", attributes: [.init("value", "2021.4.2-3976-0943ed67223-refs/pull/539/head")]),
                XMLElement(
                    name: "cli_parameters",
                    children: cli + [
                        XMLElement(
                            name: "unset",
                            attributes: [.init("unset_cli_parameters", "batch, disable_fusing, finegrain_fusing")]),
                    ]),
            ])
        #expect(meta == expected)
    }

    @Test func keepsOtherNetChildrenAndAttributes() throws {
        let xml = IRFixtures.replacing(
            "<net name=\"tiny\" version=\"11\">",
            with: """
                <net name="tiny" version="11" batch="1">
                \t<quantization_parameters><config>{"preset": "performance"}</config><version value="1.0"/></quantization_parameters>
                \t<statistics><layer><name>conv1</name><min>0.5</min></layer></statistics>
                """)
        let graph = try read(xml)
        #expect(graph.otherAttributes == [.init("batch", "1")])
        #expect(graph.otherChildren.map(\.name) == ["quantization_parameters", "statistics", "rt_info"])
        #expect(graph.otherChildren[0].child("config")?.text == #"{"preset": "performance"}"#)
        #expect(graph.otherChildren[1].child("layer")?.child("min")?.text == "0.5")
    }

    // MARK: Ports

    @Test func unescapesCommasInTensorNames() throws {
        let xml = IRFixtures.replacing(#"names="relu1,features""#, with: #"names="relu1\,a,b\,\,c,,d\e""#)
        let graph = try read(xml)
        #expect(graph.layer(named: "relu1")?.outputs[0].names == ["relu1,a", "b,,c", "", #"d\e"#])
        #expect(IRReader.splitNames("") == [])
        #expect(IRReader.splitNames(#"a\"#) == [#"a\"#])
    }

    @Test func readsDynamicDimensions() throws {
        var xml = IRFixtures.replacing(
            "<port id=\"0\" precision=\"FP32\" names=\"image\">\n\t\t\t\t\t<dim>1</dim>",
            with: "<port id=\"0\" precision=\"FP32\" names=\"image\">\n\t\t\t\t\t<dim>?</dim>")
        xml = IRFixtures.replacing("<dim>3</dim>\n\t\t\t\t\t<dim>8</dim>", with: "<dim>-1</dim>\n\t\t\t\t\t<dim> 8 </dim>", in: xml)
        let graph = try read(xml)
        #expect(graph.layer(0)?.outputs[0].dims == [-1, -1, 8, 8])
    }

    @Test func portWithoutDimsHasNilDims() throws {
        let xml = IRFixtures.replacing(
            "<port id=\"0\" precision=\"FP32\">\n\t\t\t\t\t<dim>1</dim>\n\t\t\t\t\t<dim>4</dim>\n\t\t\t\t\t<dim>8</dim>\n\t\t\t\t\t<dim>8</dim>\n\t\t\t\t</port>\n\t\t\t</input>\n\t\t</layer>\n\t</layers>",
            with: "<port id=\"0\" extra=\"kept\"/>\n\t\t\t</input>\n\t\t</layer>\n\t</layers>")
        let graph = try read(xml)
        let port = try #require(graph.layer(4)?.inputs.first)
        #expect(port == Port(id: 0, precision: nil, dims: nil, names: [], otherAttributes: [.init("extra", "kept")]))
    }

    // MARK: Errors

    @Test func rejectsMalformedXML() {
        let xml = IRFixtures.replacing("</edges>", with: "</edge>")
        guard case let .malformedXML(line, column, reason)? = error(xml) else {
            Issue.record("expected malformedXML")
            return
        }
        #expect(line == 91 && column == 2)
        #expect(reason.contains("</edge> does not match <edges>"))
    }

    @Test func rejectsWrongRoot() {
        let found = error("<?xml version=\"1.0\"?>\n<model version=\"11\"><layers/><edges/></model>")
        guard case .invalidNetwork? = found else {
            Issue.record("expected invalidNetwork, got \(String(describing: found))")
            return
        }
        #expect(found?.description == "invalid IR: the root element is <model>, not <net>")
    }

    @Test(arguments: ["7", "12", "eleven", ""])
    func rejectsUnsupportedVersions(version: String) {
        let found = error(IRFixtures.replacing(#"version="11">"#, with: "version=\"\(version)\">"))
        guard case .invalidNetwork? = found else {
            Issue.record("expected invalidNetwork, got \(String(describing: found))")
            return
        }
        #expect(found?.description.contains("IR version '\(version)' is not supported") == true)
    }

    @Test func rejectsMissingVersionLayersOrEdges() {
        let cases: [(String, String)] = [
            ("<net name=\"x\"><layers/><edges/></net>", "<net> has no 'version' attribute"),
            ("<net name=\"x\" version=\"11\"><edges/></net>", "<net> has no <layers>"),
            ("<net name=\"x\" version=\"10\"><layers/></net>", "<net> has no <edges>"),
            ("<net version=\"10\"><layers/><edges/><layers/></net>", "second <layers>"),
            ("<net version=\"10\"><layers><port/></layers><edges/></net>", "unexpected <port> at line 1 in <layers>"),
        ]
        for (xml, message) in cases {
            let found = error(xml)
            guard case .invalidNetwork? = found else {
                Issue.record("\(xml): expected invalidNetwork, got \(String(describing: found))")
                continue
            }
            #expect(found?.description.contains(message) == true, "\(String(describing: found))")
        }
    }

    @Test func acceptsAnEmptyNetwork() throws {
        let graph = try read("<net name=\"empty\" version=\"11\"><layers/><edges/></net>", weights: [])
        #expect(graph.layers.isEmpty && graph.edges.isEmpty)
    }

    @Test func rejectsEdgeToUnknownLayer() {
        let found = error(IRFixtures.replacing(#"to-layer="4" to-port="0""#, with: #"to-layer="42" to-port="0""#))
        guard case let .danglingEdge(edge, _)? = found else {
            Issue.record("expected danglingEdge, got \(String(describing: found))")
            return
        }
        #expect(edge == Edge(fromLayer: 3, fromPort: 1, toLayer: 42, toPort: 0))
        #expect(found?.description == "invalid IR edge 3:1 -> 42:0: no layer 42")
    }

    @Test func rejectsEdgeToUnknownPort() {
        let found = error(IRFixtures.replacing(#"from-layer="2" from-port="2""#, with: #"from-layer="2" from-port="5""#))
        guard case .danglingEdge? = found else {
            Issue.record("expected danglingEdge, got \(String(describing: found))")
            return
        }
        #expect(found?.description.contains("'conv1' (id 2, Convolution) has no output port 5") == true)
        // An input port used as a source is not an output port either.
        let reversed = error(IRFixtures.replacing(#"from-layer="2" from-port="2""#, with: #"from-layer="2" from-port="0""#))
        #expect(reversed?.description.contains("'conv1' (id 2, Convolution) has no output port 0") == true)
    }

    @Test func rejectsEdgeWithoutIntegerAttributes() {
        let found = error(IRFixtures.replacing(#"<edge from-layer="0" from-port="0""#, with: #"<edge from-layer="zero" from-port="0""#))
        guard case .invalidNetwork? = found else {
            Issue.record("expected invalidNetwork, got \(String(describing: found))")
            return
        }
        #expect(found?.description.contains("<edge> at line 87: 'from-layer'='zero' is not an integer") == true)
    }

    @Test func rejectsConstRangePastTheWeights() {
        let short = Array(IRFixtures.v11Weights.dropLast(4))
        let found = error(IRFixtures.v11XML, weights: short)
        #expect(found == .dataOutsideWeights(layer: "'conv1.weight' (id 1, Const)", offset: 0, size: 432, weightsBytes: 428))
        #expect(found?.description == "invalid IR layer 'conv1.weight' (id 1, Const): data of 432 bytes at offset 0 lies outside the 428-byte weights")
        #expect(found?.description.contains("'conv1.weight' (id 1, Const)") == true)
        // An offset past the end fails the same way.
        let moved = error(IRFixtures.replacing(#"offset="0" size="432""#, with: #"offset="8" size="432""#))
        #expect(moved?.description.contains("'conv1.weight' (id 1, Const)") == true)
    }

    /// Const attributes whose size arithmetic overflows `Int` trapped the reader; found
    /// while fuzzing `IRReader.read` (`scripts/fuzz.sh ir`).
    @Test(arguments: [
        (#"shape="4,3,3,3""#, #"shape="4294967296,4294967296""#, "shape [4294967296, 4294967296] of f32 is too large to address"),
        (#"shape="4,3,3,3""#, #"shape="4611686018427387904""#, "shape [4611686018427387904] of f32 is too large to address"),
        (#"offset="0" size="432""#, #"offset="1" size="9223372036854775807""#,
         "data of 9223372036854775807 bytes at offset 1 lies outside the 432-byte weights"),
    ])
    func rejectsConstSizesThatOverflow(original: String, replacement: String, reason: String) {
        let found = error(IRFixtures.replacing(original, with: replacement))
        #expect(found?.description == "invalid IR layer 'conv1.weight' (id 1, Const): \(reason)")
    }

    @Test func rejectsUnknownConstElementType() {
        let found = error(IRFixtures.replacing(#"<data element_type="f32" shape="4,3,3,3""#, with: #"<data element_type="f13" shape="4,3,3,3""#))
        guard case let .invalidLayer(layer, reason)? = found else {
            Issue.record("expected invalidLayer, got \(String(describing: found))")
            return
        }
        #expect(layer == "'conv1.weight' (id 1, Const)")
        #expect(reason == "unknown element type 'f13'")
    }

    @Test func rejectsUnknownPortPrecision() {
        let found = error(IRFixtures.replacing(#"<port id="2" precision="FP32""#, with: #"<port id="2" precision="FP13""#))
        guard case let .invalidLayer(layer, reason)? = found else {
            Issue.record("expected invalidLayer, got \(String(describing: found))")
            return
        }
        #expect(layer == "'conv1' (id 2, Convolution)")
        #expect(reason == "unknown element type 'FP13' on port 2")
        #expect(found?.description == "invalid IR layer 'conv1' (id 2, Convolution): unknown element type 'FP13' on port 2")
    }

    /// A layer id near `Int.max` read fine and trapped later, when probes were added
    /// (`nextLayerID` overflowed); found while fuzzing.
    @Test func rejectsLayerIDsOutsideThe32BitRange() {
        let line = IRFixtures.v11XML.split(separator: "\n", omittingEmptySubsequences: false)
            .firstIndex { $0.contains(#"<layer id="3" name="relu1""#) }.map { $0 + 1 }
        for id in ["9223372036854775807", "-1", "2147483648"] {
            let found = error(IRFixtures.replacing(#"<layer id="3" name="relu1""#, with: #"<layer id="\#(id)" name="relu1""#))
            #expect(found == .invalidLayer(layer: "'relu1' at line \(line ?? 0)", reason: "attribute 'id'=\(id) is outside 0...2147483647"))
        }
    }

    @Test func rejectsDuplicateLayerID() {
        let found = error(IRFixtures.replacing(#"<layer id="3" name="relu1""#, with: #"<layer id="2" name="relu1""#))
        guard case let .invalidLayer(layer, reason)? = found else {
            Issue.record("expected invalidLayer, got \(String(describing: found))")
            return
        }
        #expect(layer == "'relu1' (id 2, ReLU)")
        #expect(reason.contains("duplicate layer id 2"))
    }

    @Test(arguments: ["abc", "1.5", "-2", "", "1..4"])
    func rejectsNonIntegerDimension(dim: String) {
        let xml = IRFixtures.replacing(
            "names=\"relu1,features\">\n\t\t\t\t\t<dim>1</dim>", with: "names=\"relu1,features\">\n\t\t\t\t\t<dim>\(dim)</dim>")
        let found = error(xml)
        guard case let .invalidLayer(layer, reason)? = found else {
            Issue.record("expected invalidLayer, got \(String(describing: found))")
            return
        }
        #expect(layer == "'relu1' (id 3, ReLU)")
        #expect(reason == "dimension '\(dim)' of port 1 is not an integer")
    }

    @Test func rejectsLayersMissingRequiredAttributes() {
        let cases: [(String, String, String)] = [
            (#"<layer id="3" name="relu1" type="ReLU""#, #"<layer name="relu1" type="ReLU""#,
             "invalid IR layer 'relu1' at line 57: missing attribute 'id'"),
            (#"<layer id="3" name="relu1" type="ReLU""#, #"<layer id="x3" name="relu1" type="ReLU""#,
             "invalid IR layer 'relu1' at line 57: attribute 'id'='x3' is not an integer"),
            (#"<layer id="3" name="relu1" type="ReLU""#, #"<layer id="3" type="ReLU""#,
             "invalid IR layer layer id 3 at line 57: missing attribute 'name'"),
            (#"<layer id="3" name="relu1" type="ReLU""#, #"<layer id="3" name="relu1""#,
             "invalid IR layer 'relu1' (id 3): missing attribute 'type'"),
            (#"<port id="1" precision="FP32" names="relu1,features">"#, #"<port precision="FP32" names="relu1,features">"#,
             "invalid IR layer 'relu1' (id 3, ReLU): port at line 67 has no 'id'"),
            (#"<data strides="1,1""#, #"<data strides="1,1" dilations="1,1"/><data"#,
             "invalid IR layer 'conv1' (id 2, Convolution): more than one <data>"),
        ]
        for (target, replacement, message) in cases {
            let found = error(IRFixtures.replacing(target, with: replacement))
            guard case .invalidLayer? = found else {
                Issue.record("expected invalidLayer, got \(String(describing: found))")
                continue
            }
            #expect(found?.description == message)
        }
    }
}
