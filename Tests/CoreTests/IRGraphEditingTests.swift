import Testing

@testable import Core

/// The editing operations later stages rely on: probing adds Results, quantization
/// inserts nodes on edges and appends Const data.
@Suite struct IRGraphEditingTests {
    /// image -> Relu -> Result, plus a Const feeding an Add with the Relu output.
    private func smallGraph() throws -> (graph: IRGraph, image: TensorRef, relu: TensorRef, sum: TensorRef) {
        var builder = GraphBuilder(name: "small")
        let image = builder.parameter(name: "image", dims: [1, 3, 4, 4])
        let relu = builder.unary("Relu", image, name: "relu")
        let bias = builder.floatConstant(name: "bias", dims: [1, 3, 1, 1], values: [1, 2, 3])
        let sum = builder.binary("Add", relu, bias, name: "add")
        builder.result(sum, name: "out")
        return (builder.graph, image, relu, sum)
    }

    @Test func producersConsumersAndTopologicalOrder() throws {
        let (graph, image, relu, sum) = try smallGraph()
        #expect(graph.consumers(of: image.port) == [PortReference(layer: relu.port.layer, port: 0)])
        #expect(graph.producer(of: PortReference(layer: sum.port.layer, port: 0)) == relu.port)
        let order = try graph.topologicalOrder()
        #expect(order.count == graph.layers.count)
        for edge in graph.edges {
            #expect(order.firstIndex(of: edge.fromLayer)! < order.firstIndex(of: edge.toLayer)!)
        }
    }

    @Test func insertOnEdgeRewiresBothEnds() throws {
        var (graph, _, relu, sum) = try smallGraph()
        let edge = try #require(graph.edges.first { $0.source == relu.port && $0.toLayer == sum.port.layer })
        let id = graph.addLayer(type: "Relu", name: "inserted", inputs: [(.f32, [1, 3, 4, 4])], outputs: [(.f32, [1, 3, 4, 4])])
        try graph.insert(layer: id, on: edge)
        #expect(!graph.edges.contains(edge))
        #expect(graph.producer(of: PortReference(layer: id, port: 0)) == relu.port)
        #expect(graph.producer(of: edge.destination) == PortReference(layer: id, port: 1))
        #expect(throws: IRError.self) { try graph.insert(layer: id, on: edge) }
    }

    @Test func addResultOnAnyOutputPort() throws {
        var (graph, _, relu, _) = try smallGraph()
        let results = graph.layers(ofType: "Result").count
        let id = try graph.addResult(on: relu.port, name: "relu/probe")
        #expect(graph.layers(ofType: "Result").count == results + 1)
        #expect(graph.layer(id)?.inputs.first?.dims == [1, 3, 4, 4])
        #expect(graph.producer(of: PortReference(layer: id, port: 0)) == relu.port)
        #expect(throws: IRError.self) { try graph.addResult(on: PortReference(layer: relu.port.layer, port: 7), name: "x") }
    }

    @Test func appendedConstDataReadsBack() throws {
        var (graph, _, _, _) = try smallGraph()
        let before = graph.weights.count
        let values: [Float] = [0.5, -1.25, 3]
        let port = try graph.addConst(
            name: "scale", elementType: .f32, shape: [3], bytes: values.flatMap { $0.bitPattern.littleEndianBytes })
        let view = try graph.constView(port.layer)
        #expect(view.offset == before)
        #expect(try view.floats(in: graph.weights) == values)
        #expect(throws: IRError.self) {
            try graph.addConst(name: "short", elementType: .f32, shape: [2], bytes: [0, 0, 0])
        }
    }

    @Test func badEditsAreErrorsNamingWhatIsWrong() throws {
        var (graph, image, relu, _) = try smallGraph()
        // An input that is already connected.
        #expect(throws: IRError.self) { try graph.connect(image.port, to: PortReference(layer: relu.port.layer, port: 0)) }
        // Unknown layers and ports.
        let dangling = Edge(fromLayer: 999, fromPort: 0, toLayer: relu.port.layer, toPort: 0)
        #expect(throws: IRError.danglingEdge(dangling, reason: "no layer 999")) { try graph.addEdge(dangling) }
        #expect(throws: IRError.self) { try graph.addLayer(Layer(id: relu.port.layer, name: "dup", type: "Relu")) }
    }

    @Test func cyclesAreReported() throws {
        var graph = try IRGraph(name: "cycle")
        let a = graph.addLayer(type: "Relu", name: "a", inputs: [(.f32, [1])], outputs: [(.f32, [1])])
        let b = graph.addLayer(type: "Relu", name: "b", inputs: [(.f32, [1])], outputs: [(.f32, [1])])
        try graph.connect(PortReference(layer: a, port: 1), to: PortReference(layer: b, port: 0))
        try graph.connect(PortReference(layer: b, port: 1), to: PortReference(layer: a, port: 0))
        #expect {
            try graph.topologicalOrder()
        } throws: { error in
            String(describing: error).contains("cycle")
        }
    }

    @Test func halfFloatConversionRoundTripsAndRounds() {
        for value: Float in [0, -0, 1, -2.5, 65504, 6.1035156e-05, 5.9604645e-08, 0.1] {
            let bits = HalfFloat.bits(from: value)
            #expect(HalfFloat.bits(from: HalfFloat.float(fromBits: bits)) == bits)
        }
        #expect(HalfFloat.bits(from: 1) == 0x3c00)
        #expect(HalfFloat.bits(from: -2) == 0xc000)
        #expect(HalfFloat.bits(from: 1e6) == 0x7c00)
        #expect(HalfFloat.float(fromBits: 0x3555) == 0.333251953125)
        // 1 + 2^-11 is halfway between 1 and the next half; ties go to even (1).
        #expect(HalfFloat.bits(from: 1 + 0x1p-11) == 0x3c00)
    }
}

extension IRGraphEditingTests {
    @Test func typedAttributesParseOrNameTheLayer() throws {
        var layer = Layer(
            id: 4, name: "conv", type: "Convolution",
            data: [.init("strides", "2, 2"), .init("levels", "256"), .init("eps", "1e-5"), .init("pads_begin", "")])
        #expect(try layer.ints("strides") == [2, 2])
        #expect(try layer.ints("pads_begin") == [])
        #expect(try layer.int("levels") == 256)
        #expect(try layer.double("eps") == 1e-5)
        #expect(throws: IRError.invalidLayer(layer: "'conv' (id 4, Convolution)", reason: "missing attribute 'dilations'")) {
            try layer.ints("dilations")
        }
        layer.setAttribute("levels", "lots")
        #expect(throws: IRError.self) { try layer.int("levels") }
        layer.setAttribute("auto_pad", "explicit")
        #expect(layer.attribute("auto_pad") == "explicit")
        #expect(layer.data.count == 5)
    }

    @Test func updateLayerKeepsConnectedPorts() throws {
        var (graph, _, relu, _) = try smallGraph()
        var edited = try graph.requireLayer(relu.port.layer)
        edited.name = "renamed"
        try graph.updateLayer(edited)
        #expect(graph.layer(relu.port.layer)?.name == "renamed")
        edited.outputs = []
        #expect(throws: IRError.self) { try graph.updateLayer(edited) }
    }

    @Test func integerConstantsReadExactly() throws {
        var builder = GraphBuilder(name: "ints")
        let big = builder.integerConstant(name: "ends", dims: [2], values: [Int64.max, -3])
        var graph = builder.graph
        #expect(try graph.constView(big.port.layer).integers(in: graph.weights) == [Int64.max, -3])
        let float = try graph.addConst(name: "f", elementType: .f32, shape: [1], bytes: [0, 0, 128, 63])
        #expect(throws: IRError.self) { try graph.constView(float.layer).integers(in: graph.weights) }
    }
}
