import Testing

@testable import Core

@Suite struct ONNXExportTests {
    // MARK: Protobuf wire format

    @Test func varintsAreSevenBitGroupsLowFirst() {
        var writer = ProtobufWriter()
        writer.appendVarint(field: 1, 300)
        // Key 1 << 3 | 0, then 300 = 0b10_0101100: 0x2C with the continuation bit, then 0x02.
        #expect(writer.bytes == [0x08, 0xAC, 0x02])

        var negative = ProtobufWriter()
        negative.appendVarint(field: 1, -1)
        #expect(negative.bytes == [0x08] + Array(repeating: 0xFF, count: 9) + [0x01])

        // Field 20 (AttributeProto.type) needs a two-byte key: 20 << 3 = 160.
        var highField = ProtobufWriter()
        highField.appendVarint(field: 20, 7)
        #expect(highField.bytes == [0xA0, 0x01, 0x07])
    }

    @Test func lengthDelimitedFieldsCarryTheirLength() {
        var string = ProtobufWriter()
        string.appendString(field: 2, "testing")
        #expect(string.bytes == [0x12, 0x07, 0x74, 0x65, 0x73, 0x74, 0x69, 0x6E, 0x67])

        var message = ProtobufWriter()
        message.appendMessage(field: 3) { $0.appendVarint(field: 1, 150) }
        #expect(message.bytes == [0x1A, 0x03, 0x08, 0x96, 0x01])

        // An empty message is still present (an unknown ONNX dimension).
        var empty = ProtobufWriter()
        empty.appendMessage(field: 1) { _ in }
        #expect(empty.bytes == [0x0A, 0x00])
    }

    @Test func packedIntegersShareOneKeyAndLength() {
        var writer = ProtobufWriter()
        writer.appendPackedVarints(field: 4, [3, 270, 86942])
        #expect(writer.bytes == [0x22, 0x06, 0x03, 0x8E, 0x02, 0x9E, 0xA7, 0x05])

        var empty = ProtobufWriter()
        empty.appendPackedVarints(field: 1, [])
        #expect(empty.bytes.isEmpty)
    }

    // MARK: The example model

    static let graph = try! SSDResNet34(resolution: 300).makeGraph(normalizingInput: false)
    static let model = try! ONNXExport.model(of: graph, producer: "calib-test")

    static let expectedOperators: Set<String> = [
        "Conv", "Add", "Relu", "MaxPool", "Reshape", "Concat", "Transpose", "Split", "Mul", "Exp", "Sub", "Softmax",
        "Slice", "NonMaxSuppression", "Cast", "Gather", "GatherND", "Unsqueeze", "Shape", "ReduceMin", "TopK",
    ]

    @Test func exampleModelHasTheOriginalInputAndOutputs() throws {
        let model = try ProtobufMessage(Self.model[...])
        #expect(model.varints(1) == [8])
        #expect(model.strings(2) == ["calib-test"])
        let opset = try #require(model.messages(8).first)
        #expect(opset.varints(2) == [17])
        #expect(opset.strings(1).isEmpty)

        let graph = try #require(model.messages(7).first)
        #expect(graph.strings(2) == ["ssd-resnet34_300"])
        #expect(try graph.messages(11).map(TensorType.init) == [TensorType(name: "image", elementType: 1, dims: [1, 3, 300, 300])])
        #expect(
            try graph.messages(12).map(TensorType.init) == [
                TensorType(name: "bboxes", elementType: 1, dims: [1, -1, 4]),
                TensorType(name: "labels", elementType: 7, dims: [1, -1]),
                TensorType(name: "scores", elementType: 1, dims: [1, -1]),
            ])
    }

    @Test func exampleModelNodesAreTheLayersInTopologicalOrder() throws {
        let graph = try #require(ProtobufMessage(Self.model[...]).messages(7).first)
        let nodes = try graph.messages(1)
        #expect(Set(nodes.flatMap { $0.strings(4) }) == Self.expectedOperators)
        // Without mean/scale layers the image feeds the first convolution directly.
        #expect(Self.graph.layer(named: "image/mean") == nil)
        #expect(nodes.filter { $0.strings(1).contains("image") }.map { $0.strings(3) } == [["backbone.conv1/conv"]])

        let nodeNames = Set(nodes.flatMap { $0.strings(3) })
        for layer in Self.graph.layers where !["Parameter", "Const", "Result"].contains(layer.type) {
            #expect(nodeNames.contains(layer.name), "no node for \(layer.label)")
        }
        // Every input is defined before it is read, and every tensor is defined once.
        var defined = Set(try graph.messages(11).flatMap { $0.strings(1) } + graph.messages(5).flatMap { $0.strings(8) })
        for node in nodes {
            for input in node.strings(1) where !input.isEmpty {
                #expect(defined.contains(input), "\(node.strings(3)) reads \(input) before it is defined")
            }
            for output in node.strings(2) {
                #expect(defined.insert(output).inserted, "\(output) is defined twice")
            }
        }
        #expect(try graph.messages(12).flatMap { $0.strings(1) }.allSatisfy(defined.contains))
    }

    @Test func exampleModelTranslatesAttributesAndRebuildsTheSelectedScores() throws {
        let graph = try #require(ProtobufMessage(Self.model[...]).messages(7).first)
        let nodes = try graph.messages(1)
        func node(_ name: String) throws -> ProtobufMessage {
            try #require(nodes.first { $0.strings(3) == [name] }, "no node \(name)")
        }
        let conv = try node("backbone.conv1/conv")
        #expect(conv.strings(4) == ["Conv"])
        #expect(try conv.attributes() == [
            "kernel_shape": .ints([7, 7]), "strides": .ints([2, 2]), "dilations": .ints([1, 1]), "pads": .ints([3, 3, 3, 3]),
        ])
        #expect(try node("decode/transpose").attributes() == ["perm": .ints([0, 2, 1])])
        let split = try node("decode/split")
        #expect(try split.attributes() == ["axis": .int(2)])
        #expect(split.strings(1) == ["decode/transpose:2"])
        #expect(split.strings(2) == ["decode/split:2", "decode/split:3"])
        #expect(try node("detections/k").attributes() == ["axes": .ints([0]), "keepdims": .int(0)])
        #expect(try node("detections/topk").attributes() == ["axis": .int(0), "largest": .int(1), "sorted": .int(1)])
        #expect(try node("detections/topk").strings(1)[1] == "detections/topk/k")
        #expect(try node("detections/bboxes").attributes() == ["axis": .int(1)])

        let nms = try node("nms")
        #expect(nms.strings(4) == ["NonMaxSuppression"])
        #expect(nms.strings(1) == [
            "decode/boxes:2", "scores/objects:5", "nms/max_output_boxes_per_class:0", "nms/iou_threshold:0",
            "nms/score_threshold:0",
        ])
        #expect(nms.strings(2) == ["nms:5"])
        #expect(try nms.attributes() == ["center_point_box": .int(0)])
        // The IR's selected scores output (batch, class, score) comes from the indices and a GatherND.
        #expect(try node("nms/selected_scores").strings(4) == ["GatherND"])
        #expect(try node("nms/selected_scores").strings(1) == ["scores/objects:5", "nms:5"])
        #expect(try node("nms/score_rows").strings(2) == ["nms:6"])
        #expect(try node("detections/scores_all").strings(1).first == "nms:6")
    }

    @Test func exampleModelInitializersAreTheWeightConsts() throws {
        let graph = try #require(ProtobufMessage(Self.model[...]).messages(7).first)
        let initializers = try graph.messages(5)
        let floatConsts = Self.graph.layers(ofType: "Const").filter { $0.attribute("element_type") == "f32" }
        #expect(initializers.filter { $0.varints(2) == [1] }.count == floatConsts.count)

        let weight = try #require(initializers.first { $0.strings(8) == ["backbone.conv1.weight:0"] })
        #expect(try weight.packedVarints(1) == [64, 3, 7, 7])
        let const = try #require(Self.graph.layer(named: "backbone.conv1.weight"))
        let view = try Self.graph.constView(const.id)
        #expect(weight.bytes(9) == [Array(Self.graph.weights[view.offset..<(view.offset + view.size)])])
        // Scalars have no dims; Consts ONNX takes as attributes are not written.
        let threshold = try #require(initializers.first { $0.strings(8) == ["nms/iou_threshold:0"] })
        #expect(try threshold.packedVarints(1).isEmpty)
        let names = Set(initializers.flatMap { $0.strings(8) })
        #expect(!names.contains("decode/transpose/order:0"))
        #expect(!names.contains("detections/bboxes/axis:0"))
    }

    @Test func halfPrecisionWeightsBecomeFloatInitializers() throws {
        let half = try SSDResNet34(resolution: 300, halfPrecisionWeights: true).makeGraph(normalizingInput: false)
        let graph = try #require(ProtobufMessage(ONNXExport.model(of: half, producer: "calib-test")[...]).messages(7).first)
        #expect(Set(try graph.messages(1).flatMap { $0.strings(4) }) == Self.expectedOperators)
        let initializers = try graph.messages(5)
        #expect(initializers.allSatisfy { $0.varints(2) != [10] })
        // The Convert's output carries the weights, widened from f16 to f32.
        let weight = try #require(initializers.first { $0.strings(8) == ["backbone.conv1.weight:1"] })
        #expect(weight.varints(2) == [1])
        let const = try #require(half.layer(named: "backbone.conv1.weight/fp16"))
        let expected = try half.constView(const.id).floats(in: half.weights).flatMap { $0.bitPattern.littleEndianBytes }
        #expect(weight.bytes(9) == [expected])
    }

    // MARK: Refusals

    @Test func anOperationWithoutTranslationIsRefusedNamingTheLayer() throws {
        var builder = GraphBuilder(name: "upsample")
        let input = builder.parameter(name: "x", dims: [1, 1, 4, 4])
        let upsampled = builder.interpolate(input, scale: 2, mode: "nearest", name: "up")
        builder.result(upsampled, name: "y")
        let layer = try #require(builder.graph.layer(named: "up"))
        let refusal = ONNXExportError.unsupportedLayer(layer: layer.label, reason: "operation Interpolate has no ONNX translation")
        #expect(throws: refusal) {
            try ONNXExport.model(of: builder.graph, producer: "calib-test")
        }
    }

    @Test func anUntranslatedOutputThatIsUsedIsRefused() throws {
        var builder = GraphBuilder(name: "count")
        let boxes = builder.parameter(name: "boxes", dims: [1, 10, 4])
        let scores = builder.parameter(name: "scores", dims: [1, 2, 10])
        _ = builder.nonMaxSuppression(
            boxes: boxes, scores: scores, maxPerClass: 5, iouThreshold: 0.5, scoreThreshold: 0, name: "nms")
        // The valid count (port 7) has no ONNX output.
        var graph = builder.graph
        try graph.addResult(on: PortReference(layer: try #require(graph.layer(named: "nms")).id, port: 7), name: "count")
        let nms = try #require(graph.layer(named: "nms"))
        #expect(throws: ONNXExportError.unsupportedLayer(layer: nms.label, reason: "output port 7 has no ONNX translation")) {
            try ONNXExport.model(of: graph, producer: "calib-test")
        }
    }
}

/// A graph input or output as a `ValueInfoProto` declares it.
private struct TensorType: Equatable {
    var name: String
    var elementType: Int64
    /// -1 for a dimension without a value.
    var dims: [Int64]
}

extension TensorType {
    init(_ valueInfo: ProtobufMessage) throws {
        name = try #require(valueInfo.strings(1).first)
        let tensor = try #require(valueInfo.messages(2).first?.messages(1).first)
        elementType = try #require(tensor.varints(1).first)
        dims = try #require(tensor.messages(2).first).messages(1).map { $0.varints(1).first ?? -1 }
    }
}

/// A protobuf message decoded just far enough for the checks: each field's number with its
/// varint value or its bytes (the only wire types the export writes).
private struct ProtobufMessage {
    enum Value {
        case varint(UInt64)
        case bytes(ArraySlice<UInt8>)
    }

    /// A node attribute's value.
    enum AttributeValue: Equatable {
        case int(Int64)
        case ints([Int64])
        case string(String)
    }

    struct DecodingError: Error, CustomStringConvertible {
        var description: String
    }

    private(set) var fields: [(number: Int, value: Value)] = []

    init(_ bytes: ArraySlice<UInt8>) throws {
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let key = try Self.varint(in: bytes, at: &index)
            switch key & 7 {
            case 0:
                fields.append((Int(key >> 3), .varint(try Self.varint(in: bytes, at: &index))))
            case 2:
                let length = Int(try Self.varint(in: bytes, at: &index))
                guard length <= bytes.endIndex - index else { throw DecodingError(description: "field runs past the end") }
                fields.append((Int(key >> 3), .bytes(bytes[index..<(index + length)])))
                index += length
            default:
                throw DecodingError(description: "unexpected wire type \(key & 7)")
            }
        }
    }

    /// Reads the varint at `index` and moves past it.
    static func varint(in bytes: ArraySlice<UInt8>, at index: inout Int) throws -> UInt64 {
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard index < bytes.endIndex, shift < 64 else { throw DecodingError(description: "truncated varint") }
            let byte = bytes[index]
            index += 1
            value |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
    }

    func varints(_ number: Int) -> [Int64] {
        fields.compactMap { field in
            guard field.number == number, case let .varint(value) = field.value else { return nil }
            return Int64(bitPattern: value)
        }
    }

    func bytes(_ number: Int) -> [[UInt8]] {
        fields.compactMap { field in
            guard field.number == number, case let .bytes(payload) = field.value else { return nil }
            return Array(payload)
        }
    }

    func strings(_ number: Int) -> [String] {
        bytes(number).map { String(decoding: $0, as: UTF8.self) }
    }

    func messages(_ number: Int) throws -> [ProtobufMessage] {
        try fields.compactMap { field in
            guard field.number == number, case let .bytes(payload) = field.value else { return nil }
            return try ProtobufMessage(payload)
        }
    }

    /// The values of a packed repeated integer field.
    func packedVarints(_ number: Int) throws -> [Int64] {
        var values = [Int64]()
        for field in fields where field.number == number {
            guard case let .bytes(payload) = field.value else { throw DecodingError(description: "field \(number) is not packed") }
            var index = payload.startIndex
            while index < payload.endIndex {
                values.append(Int64(bitPattern: try Self.varint(in: payload, at: &index)))
            }
        }
        return values
    }

    /// The attributes of a `NodeProto`, by name.
    func attributes() throws -> [String: AttributeValue] {
        var result = [String: AttributeValue]()
        for attribute in try messages(5) {
            let name = try #require(attribute.strings(1).first)
            switch attribute.varints(20) {
            case [2]: result[name] = .int(try #require(attribute.varints(3).first))
            case [3]: result[name] = .string(try #require(attribute.strings(4).first))
            case [7]: result[name] = .ints(try attribute.packedVarints(8))
            case let type: throw DecodingError(description: "attribute \(name) has type \(type)")
            }
        }
        return result
    }
}
