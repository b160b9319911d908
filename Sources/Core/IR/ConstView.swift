/// The payload of one Const layer: element type, shape and the byte range it occupies
/// in the weights. It is a view: values are decoded from the weights on demand.
public struct ConstView: Sendable, Equatable {
    public let elementType: ElementType
    public let shape: [Int]
    public let offset: Int
    public let size: Int

    /// Reads and checks a Const layer's attributes; `weightsCount` is the `.bin` size.
    public init(layer: Layer, weightsCount: Int) throws {
        guard layer.type == "Const" else {
            throw IRError.invalidLayer(layer: layer.label, reason: "is not a Const")
        }
        let typeName = try layer.string("element_type")
        guard let elementType = ElementType(irName: typeName) else {
            throw IRError.invalidLayer(layer: layer.label, reason: "unknown element type '\(typeName)'")
        }
        let shape = try layer.ints("shape")
        let offset = try layer.int("offset")
        let size = try layer.int("size")
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw IRError.invalidLayer(layer: layer.label, reason: "negative dimension in shape \(shape)")
        }
        guard offset >= 0, size >= 0, offset <= weightsCount, size <= weightsCount - offset else {
            throw IRError.dataOutsideWeights(layer: layer.label, offset: offset, size: size, weightsBytes: weightsCount)
        }
        guard let expected = elementType.byteCount(shape: shape) else {
            throw IRError.invalidLayer(
                layer: layer.label, reason: "shape \(shape) of \(typeName) is too large to address")
        }
        guard size == expected else {
            throw IRError.invalidLayer(
                layer: layer.label, reason: "size \(size) does not match shape \(shape) of \(typeName) (\(expected) bytes)")
        }
        self.elementType = elementType
        self.shape = shape
        self.offset = offset
        self.size = size
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// The values as Float, for the element types calib reads (f32, f16, i8, u8, i32, i64).
    public func floats(in weights: [UInt8]) throws -> [Float] {
        try weights.withUnsafeBytes { raw in
            let base = raw.baseAddress!.advanced(by: offset)
            switch elementType {
            case .f32: return (0..<count).map { Float(bitPattern: base.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self).littleEndian) }
            case .f16: return (0..<count).map { HalfFloat.float(fromBits: base.loadUnaligned(fromByteOffset: $0 * 2, as: UInt16.self).littleEndian) }
            case .i8: return (0..<count).map { Float(base.load(fromByteOffset: $0, as: Int8.self)) }
            case .u8: return (0..<count).map { Float(base.load(fromByteOffset: $0, as: UInt8.self)) }
            case .i32: return (0..<count).map { Float(Int32(littleEndian: base.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
            case .i64: return (0..<count).map { Float(Int64(littleEndian: base.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self))) }
            default: throw IRError.invalidOperation("reading \(elementType.constName) Const values is not supported")
            }
        }
    }

    /// The values as Int64, for integer element types (shapes, axes, indices), exactly.
    public func integers(in weights: [UInt8]) throws -> [Int64] {
        guard [.i8, .u8, .i32, .i64].contains(elementType) else {
            throw IRError.invalidOperation("Const of \(elementType.constName) is not an integer tensor")
        }
        return weights.withUnsafeBytes { raw in
            let base = raw.baseAddress!.advanced(by: offset)
            switch elementType {
            case .i8: return (0..<count).map { Int64(base.load(fromByteOffset: $0, as: Int8.self)) }
            case .u8: return (0..<count).map { Int64(base.load(fromByteOffset: $0, as: UInt8.self)) }
            case .i32: return (0..<count).map { Int64(Int32(littleEndian: base.loadUnaligned(fromByteOffset: $0 * 4, as: Int32.self))) }
            case .i64: return (0..<count).map { Int64(littleEndian: base.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
            default: return []
            }
        }
    }
}
