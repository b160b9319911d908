import COpenVINO
import Core

/// A tensor owned by OpenVINO, read in place: shape, element type and raw bytes.
public final class TensorView: @unchecked Sendable {
    private let tensor: OpaquePointer
    /// Keeps the request (and so the memory) alive while the view exists.
    private let owner: AnyObject?
    public let shape: [Int]
    public let elementType: ElementType?
    public let data: UnsafeMutableRawBufferPointer

    init(tensor: OpaquePointer, owner: AnyObject?) throws {
        self.tensor = tensor
        self.owner = owner
        var ovShape = ov_shape_t()
        var type = DYNAMIC
        var bytes = 0
        var pointer: UnsafeMutableRawPointer?
        do {
            try OpenVINOError.check("tensor_get_shape") { ov_tensor_get_shape(tensor, &ovShape) }
            defer { ov_shape_free(&ovShape) }
            shape = (0..<Int(ovShape.rank)).map { Int(ovShape.dims[$0]) }
            try OpenVINOError.check("tensor_get_element_type") { ov_tensor_get_element_type(tensor, &type) }
            try OpenVINOError.check("tensor_get_byte_size") { ov_tensor_get_byte_size(tensor, &bytes) }
            try OpenVINOError.check("tensor_data") { ov_tensor_data(tensor, &pointer) }
        } catch {
            ov_tensor_free(tensor)
            throw error
        }
        elementType = TensorView.elementType(type)
        data = UnsafeMutableRawBufferPointer(start: pointer, count: bytes)
    }

    deinit {
        ov_tensor_free(tensor)
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }

    /// The values as Float when the tensor is f32 (no copy), else nil.
    public var floats: UnsafeBufferPointer<Float>? {
        guard elementType == .f32 else { return nil }
        return UnsafeBufferPointer(data.bindMemory(to: Float.self))
    }

    /// The values converted to Double, for any numeric element type calib meets in outputs.
    public func doubles() -> [Double] {
        switch elementType {
        case .f32: return data.bindMemory(to: Float.self).map(Double.init)
        case .i64: return data.bindMemory(to: Int64.self).map(Double.init)
        case .i32: return data.bindMemory(to: Int32.self).map(Double.init)
        case .f16: return data.bindMemory(to: UInt16.self).map { Double(HalfFloat.float(fromBits: $0)) }
        case .u8: return data.map(Double.init)
        case .i8: return data.bindMemory(to: Int8.self).map(Double.init)
        default: return []
        }
    }

    private static func elementType(_ type: ov_element_type_e) -> ElementType? {
        switch type {
        case F32: .f32
        case F16: .f16
        case BF16: .bf16
        case F64: .f64
        case I64: .i64
        case I32: .i32
        case I16: .i16
        case I8: .i8
        case U8: .u8
        case U16: .u16
        case U32: .u32
        case U64: .u64
        default: nil
        }
    }
}
