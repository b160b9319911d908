/// Appends fields in the protocol-buffers wire format: each field is a varint key
/// (field number << 3 | wire type) followed by a varint (wire type 0) or a varint length
/// and that many bytes (wire type 2: bytes, strings, embedded messages, packed repeated
/// integers). ONNX models are protobuf messages; this is the part of the format writing
/// them needs, so calib links no protobuf library.
struct ProtobufWriter: Sendable {
    /// The message encoded so far.
    private(set) var bytes: [UInt8] = []

    private static let varintWireType: UInt64 = 0
    private static let lengthDelimitedWireType: UInt64 = 2

    /// A varint field: int32, int64, enum or bool `value`. Negative values take ten
    /// bytes, as their 64-bit two's complement.
    mutating func appendVarint(field: Int, _ value: Int64) {
        appendKey(field: field, wireType: Self.varintWireType)
        appendRawVarint(UInt64(bitPattern: value))
    }

    /// A length-delimited field holding `payload` as it is (a `bytes` field).
    mutating func appendBytes<Payload: Collection>(field: Int, _ payload: Payload) where Payload.Element == UInt8 {
        appendKey(field: field, wireType: Self.lengthDelimitedWireType)
        appendRawVarint(UInt64(payload.count))
        bytes.append(contentsOf: payload)
    }

    /// A `string` field: `text` as UTF-8.
    mutating func appendString(field: Int, _ text: String) {
        appendBytes(field: field, text.utf8)
    }

    /// An embedded message field; `encode` writes the message's own fields. An empty
    /// message is still written (key and length 0), so its presence is kept.
    mutating func appendMessage(field: Int, _ encode: (inout ProtobufWriter) throws -> Void) rethrows {
        var message = ProtobufWriter()
        try encode(&message)
        appendBytes(field: field, message.bytes)
    }

    /// A packed repeated integer field: the varints of `values` in one length-delimited
    /// field. Nothing is written for an empty list, which is how protobuf encodes it.
    mutating func appendPackedVarints(field: Int, _ values: [Int64]) {
        guard !values.isEmpty else { return }
        var packed = ProtobufWriter()
        for value in values { packed.appendRawVarint(UInt64(bitPattern: value)) }
        appendBytes(field: field, packed.bytes)
    }

    private mutating func appendKey(field: Int, wireType: UInt64) {
        precondition(field > 0 && field < 1 << 29, "protobuf field numbers run from 1 to 2^29 - 1, got \(field)")
        appendRawVarint(UInt64(field) << 3 | wireType)
    }

    /// `value` in 7-bit groups, least significant first, the high bit set on every byte but the last.
    private mutating func appendRawVarint(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }
}
