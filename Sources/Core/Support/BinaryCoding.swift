/// Appends values to a byte array in a fixed, platform-independent layout: integers
/// little-endian at their full width, floating-point values by bit pattern, byte arrays
/// and strings behind a `UInt32` length. Statistics files and messages are written with
/// it, so equal values always give equal bytes.
public struct ByteWriter: Sendable {
    /// Everything written so far.
    public private(set) var bytes: [UInt8]

    /// A writer that appends to `bytes`.
    public init(bytes: [UInt8] = []) {
        self.bytes = bytes
    }

    /// Appends `value` little-endian, `T.bitWidth / 8` bytes.
    public mutating func write<T: FixedWidthInteger>(_ value: T) {
        var remaining = value.littleEndian
        withUnsafeBytes(of: &remaining) { bytes.append(contentsOf: $0) }
    }

    /// Appends the 4 bytes of `value`'s bit pattern.
    public mutating func write(_ value: Float) {
        write(value.bitPattern)
    }

    /// Appends the 8 bytes of `value`'s bit pattern.
    public mutating func write(_ value: Double) {
        write(value.bitPattern)
    }

    /// Appends `value` in as few bytes as it needs (LEB128: 7 bits a byte, low bits first,
    /// high bit set on every byte but the last), for counts that are mostly small.
    public mutating func writeCompact(_ value: UInt64) {
        var remaining = value
        while remaining >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(remaining))
    }

    /// Appends `raw` as it is, with no length.
    public mutating func write(raw: [UInt8]) {
        bytes.append(contentsOf: raw)
    }

    /// Appends the length of `data` as a `UInt32`, then `data`.
    public mutating func write(lengthPrefixed data: [UInt8]) {
        precondition(data.count <= Int(UInt32.max), "a length-prefixed byte array holds at most 4 GiB")
        write(UInt32(data.count))
        write(raw: data)
    }

    /// Appends `string` as length-prefixed UTF-8.
    public mutating func write(_ string: String) {
        write(lengthPrefixed: Array(string.utf8))
    }
}

/// Reads what `ByteWriter` wrote, refusing truncated or malformed input with an error that
/// names the field and its offset instead of trapping: statistics come from files and from
/// other machines.
public struct ByteReader: Sendable {
    private let bytes: [UInt8]
    /// Where the next read starts.
    public private(set) var offset = 0

    /// A reader at the start of `bytes`.
    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// A reader of `bytes` at `offset` (clamped to the end), to read again a part found
    /// by an earlier pass.
    public init(_ bytes: [UInt8], at offset: Int) {
        self.bytes = bytes
        self.offset = min(max(offset, 0), bytes.count)
    }

    /// Lets `body` read the bytes not read yet in place, for loops too hot for the checked
    /// reads: it gets them and the offset of the first (for errors), and returns what it
    /// found and how many bytes it used, which the reader then skips.
    public mutating func consume<Result>(
        _ body: (UnsafeBufferPointer<UInt8>, _ offset: Int) throws -> (result: Result, used: Int)
    ) throws -> Result {
        let start = offset
        let (result, used) = try bytes.withUnsafeBufferPointer { all in
            try body(UnsafeBufferPointer(rebasing: all[start...]), start)
        }
        precondition(used >= 0 && used <= bytes.count - start, "consumed \(used) of \(bytes.count - start) bytes")
        offset += used
        return result
    }

    /// True when every byte has been read.
    public var isAtEnd: Bool { offset == bytes.count }

    /// Reads a little-endian `T`; `field` names it in errors.
    public mutating func read<T: FixedWidthInteger>(_: T.Type, _ field: String) throws -> T {
        let width = T.bitWidth / 8
        try require(width, field)
        // One unaligned load, then from little-endian.
        let value = bytes.withUnsafeBytes { T(littleEndian: $0.loadUnaligned(fromByteOffset: offset, as: T.self)) }
        offset += width
        return value
    }

    /// Reads a `Float` from its bit pattern.
    public mutating func readFloat(_ field: String) throws -> Float {
        Float(bitPattern: try read(UInt32.self, field))
    }

    /// Reads a `Double` from its bit pattern.
    public mutating func readDouble(_ field: String) throws -> Double {
        Double(bitPattern: try read(UInt64.self, field))
    }

    /// Reads a value written by `ByteWriter.writeCompact`, refusing encodings longer than
    /// needed so that every value has exactly one encoding.
    public mutating func readCompact(_ field: String) throws -> UInt64 {
        let start = offset
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            try require(1, field)
            let byte = bytes[offset]
            offset += 1
            let payload = UInt64(byte & 0x7f)
            guard shift < 64, (payload << shift) >> shift == payload else {
                throw BinaryCodingError.invalid(field: field, offset: start, reason: "does not fit 64 bits")
            }
            value |= payload << shift
            if byte & 0x80 == 0 {
                if byte == 0 && offset - start > 1 {
                    throw BinaryCodingError.invalid(field: field, offset: start, reason: "is encoded in more bytes than needed")
                }
                return value
            }
            shift += 7
        }
    }

    /// Reads the next `count` bytes as they are.
    public mutating func read(raw count: Int, _ field: String) throws -> [UInt8] {
        try require(count, field)
        defer { offset += count }
        return Array(bytes[offset..<offset + count])
    }

    /// Reads a `UInt32` length, then that many bytes.
    public mutating func readLengthPrefixed(_ field: String) throws -> [UInt8] {
        let length = try read(UInt32.self, "length of \(field)")
        return try read(raw: Int(length), field)
    }

    /// Reads length-prefixed UTF-8.
    public mutating func readString(_ field: String) throws -> String {
        let start = offset
        let utf8 = try readLengthPrefixed(field)
        guard let string = String(validating: utf8, as: UTF8.self) else {
            throw BinaryCodingError.invalid(field: field, offset: start, reason: "is not UTF-8")
        }
        return string
    }

    /// Throws unless every byte has been read.
    public func requireEnd() throws {
        guard isAtEnd else {
            throw BinaryCodingError.invalid(
                field: "end of data", offset: offset, reason: "is followed by \(bytes.count - offset) unexpected bytes")
        }
    }

    private func require(_ count: Int, _ field: String) throws {
        guard count <= bytes.count - offset else {
            throw BinaryCodingError.truncated(field: field, offset: offset, needed: count, available: bytes.count - offset)
        }
    }
}

/// Why `ByteReader` refused its input, with the field and the byte offset.
public enum BinaryCodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The data ends inside `field`.
    case truncated(field: String, offset: Int, needed: Int, available: Int)
    /// `field` was read but its value is not acceptable.
    case invalid(field: String, offset: Int, reason: String)

    public var description: String {
        switch self {
        case let .truncated(field, offset, needed, available):
            "truncated data: \(field) at offset \(offset) needs \(needed) bytes, \(available) left"
        case let .invalid(field, offset, reason):
            "invalid data: \(field) at offset \(offset) \(reason)"
        }
    }
}
