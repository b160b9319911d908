/// The element types an OpenVINO IR names on ports (`precision="FP32"`) and on
/// Const layers (`element_type="f32"`), with their storage sizes.
public enum ElementType: String, Sendable, CaseIterable {
    case f64, f32, f16, bf16
    case i64, i32, i16, i8, i4
    case u64, u32, u16, u8, u4, u1
    case boolean

    /// Parses either spelling: the Const form (`f32`, `boolean`) or the port form (`FP32`, `BOOL`).
    public init?(irName: String) {
        switch irName.uppercased() {
        case "FP64", "F64": self = .f64
        case "FP32", "F32": self = .f32
        case "FP16", "F16": self = .f16
        case "BF16": self = .bf16
        case "I64": self = .i64
        case "I32": self = .i32
        case "I16": self = .i16
        case "I8": self = .i8
        case "I4": self = .i4
        case "U64": self = .u64
        case "U32": self = .u32
        case "U16": self = .u16
        case "U8": self = .u8
        case "U4": self = .u4
        case "U1": self = .u1
        case "BOOL", "BOOLEAN": self = .boolean
        default: return nil
        }
    }

    /// The spelling of Const `element_type` attributes.
    public var constName: String { rawValue }

    /// The spelling of port `precision` attributes.
    public var precisionName: String {
        switch self {
        case .f64: "FP64"
        case .f32: "FP32"
        case .f16: "FP16"
        case .bf16: "BF16"
        case .boolean: "BOOL"
        default: rawValue.uppercased()
        }
    }

    /// Bits per element (sub-byte types pack several elements per byte).
    public var bitWidth: Int {
        switch self {
        case .f64, .i64, .u64: 64
        case .f32, .i32, .u32: 32
        case .f16, .bf16, .i16, .u16: 16
        case .i8, .u8, .boolean: 8
        case .i4, .u4: 4
        case .u1: 1
        }
    }

    /// True for floating-point types: only these carry activations worth quantizing.
    public var isFloatingPoint: Bool {
        switch self {
        case .f64, .f32, .f16, .bf16: true
        default: false
        }
    }

    /// Bytes needed for `count` elements.
    public func byteCount(elements count: Int) -> Int {
        (count * bitWidth + 7) / 8
    }

    /// Bytes needed for a tensor of `shape` (non-negative dimensions), or nil when they do
    /// not fit an `Int`: shapes read from a file can claim any size.
    public func byteCount(shape: [Int]) -> Int? {
        if shape.contains(0) { return 0 }
        var bits = bitWidth
        for dimension in shape {
            let (product, overflow) = bits.multipliedReportingOverflow(by: dimension)
            guard !overflow else { return nil }
            bits = product
        }
        let (padded, overflow) = bits.addingReportingOverflow(7)
        return overflow ? nil : padded / 8
    }
}
