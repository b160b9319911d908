/// Why ``MessageCodec/decode(_:limits:)`` refused a frame: what was wrong and where
/// (byte offset in the frame and the field), on one line for a log.
public enum ProtocolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The frame is shorter than the 7-byte envelope.
    case messageTooShort(length: Int, minimum: Int)
    /// The frame is larger than ``MessageLimits/maxMessageBytes``.
    case messageTooLarge(length: Int, limit: Int)
    /// The frame does not start with `CALB`.
    case badMagic(found: [UInt8])
    /// The envelope carries another protocol version, and the message is not one of the
    /// version-independent ones (`hello`, `refused`).
    case unsupportedVersion(found: UInt16)
    /// The type byte names no message.
    case unknownType(UInt8)
    /// The frame ends inside `field`, or a length at `offset` claims more bytes than are left.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// A length or count at `offset` is above what ``MessageLimits`` allows.
    case lengthOverLimit(field: String, offset: Int, length: Int, limit: Int)
    /// The string at `offset` is not valid UTF-8.
    case invalidUTF8(field: String, offset: Int)
    /// The string at `offset` is not 64 lowercase hexadecimal digits.
    case invalidDigest(field: String, offset: Int)
    /// `field` at `offset` was read but its value is not acceptable.
    case invalidValue(field: String, offset: Int, reason: String)
    /// The message is complete at `offset` but `count` more bytes follow.
    case trailingBytes(offset: Int, count: Int)

    public var description: String {
        switch self {
        case let .messageTooShort(length, minimum):
            "malformed message: \(length) bytes, shorter than the \(minimum)-byte header"
        case let .messageTooLarge(length, limit):
            "malformed message: \(length) bytes, more than the limit of \(limit)"
        case let .badMagic(found):
            "malformed message: magic at offset 0 is \(found.map { hex($0) }.joined(separator: " ")), expected CALB"
        case let .unsupportedVersion(found):
            "unsupported protocol version \(found) at offset 4 (this build speaks \(ProtocolVersion.current))"
        case let .unknownType(type):
            "malformed message: unknown message type \(type) at offset 6"
        case let .truncated(field, offset, needed, available):
            "malformed message: \(field) at offset \(offset) needs \(needed) bytes, \(available) left"
        case let .lengthOverLimit(field, offset, length, limit):
            "malformed message: \(field) at offset \(offset) has length \(length), more than the limit of \(limit)"
        case let .invalidUTF8(field, offset):
            "malformed message: \(field) at offset \(offset) is not valid UTF-8"
        case let .invalidDigest(field, offset):
            "malformed message: \(field) at offset \(offset) is not 64 lowercase hex digits"
        case let .invalidValue(field, offset, reason):
            "malformed message: \(field) at offset \(offset) \(reason)"
        case let .trailingBytes(offset, count):
            "malformed message: \(count) unexpected bytes after the end of the message at offset \(offset)"
        }
    }
}

private func hex(_ byte: UInt8) -> String {
    let digits = Array("0123456789abcdef")
    return "0x" + String(digits[Int(byte >> 4)]) + String(digits[Int(byte & 0xf)])
}
