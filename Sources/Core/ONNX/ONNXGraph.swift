/// An ONNX graph (`GraphProto`) as calib's IR export builds it before encoding: nodes in
/// topological order, initializers, inputs and outputs. The nested types are the ONNX
/// messages the export writes; `encode(into:)` gives each its protobuf wire format with
/// the field numbers of `onnx.proto`.
struct ONNXGraph: Sendable {
    var name: String
    var nodes: [Node] = []
    var initializers: [Tensor] = []
    var inputs: [ValueInfo] = []
    var outputs: [ValueInfo] = []

    /// One operator application (`NodeProto`) of the default domain. Tensors are named;
    /// an empty input name marks an optional input left out.
    struct Node: Sendable {
        var name: String
        var opType: String
        var inputs: [String]
        var outputs: [String]
        var attributes: [Attribute] = []
    }

    /// A node attribute (`AttributeProto`) of the kinds the export writes.
    struct Attribute: Sendable {
        enum Value: Sendable {
            case int(Int64)
            case ints([Int64])
            case string(String)
        }

        var name: String
        var value: Value

        static func int(_ name: String, _ value: Int) -> Attribute {
            Attribute(name: name, value: .int(Int64(value)))
        }

        static func ints(_ name: String, _ values: [Int]) -> Attribute {
            Attribute(name: name, value: .ints(values.map(Int64.init)))
        }

        static func string(_ name: String, _ value: String) -> Attribute {
            Attribute(name: name, value: .string(value))
        }
    }

    /// A constant (`TensorProto`, an initializer): its values as little-endian `rawData`.
    /// Empty `dims` is a scalar.
    struct Tensor: Sendable {
        var name: String
        var dataType: DataType
        var dims: [Int]
        var rawData: [UInt8]
    }

    /// The declared type of a graph input or output (`ValueInfoProto`): a tensor of
    /// `dataType`; `dims` nil leaves the rank unknown, a -1 dimension is unknown.
    struct ValueInfo: Sendable {
        var name: String
        var dataType: DataType
        var dims: [Int]?
    }

    /// `TensorProto.DataType` codes of the element types ONNX and the IR share.
    enum DataType: Int, Sendable {
        case float = 1, uint8 = 2, int8 = 3, uint16 = 4, int16 = 5, int32 = 6, int64 = 7
        case bool = 9, float16 = 10, double = 11, uint32 = 12, uint64 = 13, bfloat16 = 16

        /// The ONNX type of an IR element type; nil for the sub-byte types ONNX stores differently.
        init?(_ elementType: ElementType) {
            switch elementType {
            case .f32: self = .float
            case .u8: self = .uint8
            case .i8: self = .int8
            case .u16: self = .uint16
            case .i16: self = .int16
            case .i32: self = .int32
            case .i64: self = .int64
            case .boolean: self = .bool
            case .f16: self = .float16
            case .f64: self = .double
            case .u32: self = .uint32
            case .u64: self = .uint64
            case .bf16: self = .bfloat16
            case .i4, .u4, .u1: return nil
            }
        }
    }
}

// MARK: Wire format

extension ONNXGraph {
    /// `GraphProto`: node = 1, name = 2, initializer = 5, input = 11, output = 12.
    func encode(into writer: inout ProtobufWriter) {
        for node in nodes { writer.appendMessage(field: 1, node.encode(into:)) }
        writer.appendString(field: 2, name)
        for tensor in initializers { writer.appendMessage(field: 5, tensor.encode(into:)) }
        for input in inputs { writer.appendMessage(field: 11, input.encode(into:)) }
        for output in outputs { writer.appendMessage(field: 12, output.encode(into:)) }
    }
}

extension ONNXGraph.Node {
    /// `NodeProto`: input = 1, output = 2, name = 3, op_type = 4, attribute = 5.
    func encode(into writer: inout ProtobufWriter) {
        for input in inputs { writer.appendString(field: 1, input) }
        for output in outputs { writer.appendString(field: 2, output) }
        writer.appendString(field: 3, name)
        writer.appendString(field: 4, opType)
        for attribute in attributes { writer.appendMessage(field: 5, attribute.encode(into:)) }
    }
}

extension ONNXGraph.Attribute {
    /// `AttributeProto`: name = 1, i = 3, s = 4, ints = 8, type = 20 (INT 2, STRING 3, INTS 7).
    func encode(into writer: inout ProtobufWriter) {
        writer.appendString(field: 1, name)
        switch value {
        case let .int(number):
            writer.appendVarint(field: 3, number)
            writer.appendVarint(field: 20, 2)
        case let .string(text):
            writer.appendString(field: 4, text)
            writer.appendVarint(field: 20, 3)
        case let .ints(numbers):
            writer.appendPackedVarints(field: 8, numbers)
            writer.appendVarint(field: 20, 7)
        }
    }
}

extension ONNXGraph.Tensor {
    /// `TensorProto`: dims = 1, data_type = 2, name = 8, raw_data = 9.
    func encode(into writer: inout ProtobufWriter) {
        writer.appendPackedVarints(field: 1, dims.map(Int64.init))
        writer.appendVarint(field: 2, Int64(dataType.rawValue))
        writer.appendString(field: 8, name)
        writer.appendBytes(field: 9, rawData)
    }
}

extension ONNXGraph.ValueInfo {
    /// `ValueInfoProto` (name = 1, type = 2) holding a `TypeProto` (tensor_type = 1) whose
    /// `Tensor` has elem_type = 1 and shape = 2; the `TensorShapeProto` lists dim = 1, each
    /// a `Dimension` with dim_value = 1, or nothing when unknown.
    func encode(into writer: inout ProtobufWriter) {
        writer.appendString(field: 1, name)
        writer.appendMessage(field: 2) { type in
            type.appendMessage(field: 1) { tensor in
                tensor.appendVarint(field: 1, Int64(dataType.rawValue))
                guard let dims else { return }
                tensor.appendMessage(field: 2) { shape in
                    for dimension in dims {
                        shape.appendMessage(field: 1) { entry in
                            if dimension >= 0 { entry.appendVarint(field: 1, Int64(dimension)) }
                        }
                    }
                }
            }
        }
    }
}
