/// Writes EXIF metadata (a TIFF structure with one IFD) and splices it into JPEGs, so
/// tests can give the same picture every orientation and every kind of damage.
enum ExifBuilder {
    /// One IFD entry: tag, type, count and the 4-byte value field (a SHORT value sits in
    /// its first two bytes).
    struct Entry {
        var tag: UInt16
        var type: UInt16
        var count: UInt32
        var value: UInt32

        /// An orientation entry as cameras write it: SHORT, count 1.
        static func orientation(_ value: UInt16) -> Entry { Entry(tag: 0x0112, type: 3, count: 1, value: UInt32(value)) }
    }

    /// A TIFF structure: byte order `II` (little-endian) or `MM`, 42, the IFD0 offset
    /// (8 unless told), the entry count (the number of entries unless told), the entries
    /// and a zero next-IFD offset.
    static func tiff(bigEndian: Bool, _ entries: [Entry], ifdOffset: UInt32 = 8, count: UInt16? = nil) -> [UInt8] {
        func u16(_ v: UInt16) -> [UInt8] { bigEndian ? [UInt8(v >> 8), UInt8(v & 0xFF)] : [UInt8(v & 0xFF), UInt8(v >> 8)] }
        func u32(_ v: UInt32) -> [UInt8] {
            bigEndian ? u16(UInt16(v >> 16)) + u16(UInt16(v & 0xFFFF)) : u16(UInt16(v & 0xFFFF)) + u16(UInt16(v >> 16))
        }
        var bytes: [UInt8] = (bigEndian ? [0x4D, 0x4D] : [0x49, 0x49]) + u16(42) + u32(ifdOffset)
        bytes += u16(count ?? UInt16(entries.count))
        for entry in entries {
            bytes += u16(entry.tag) + u16(entry.type) + u32(entry.count)
            bytes += entry.type == 3 ? u16(UInt16(entry.value)) + [0, 0] : u32(entry.value)
        }
        return bytes + u32(0)
    }

    /// A JPEG APP1 segment holding `payload` behind the `Exif\0\0` header.
    static func app1(_ tiff: [UInt8], header: [UInt8] = Array("Exif".utf8) + [0, 0]) -> [UInt8] {
        let length = tiff.count + header.count + 2
        return [0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + header + tiff
    }

    /// `jpeg` with `segments` inserted right after its SOI marker.
    static func jpeg(_ jpeg: [UInt8], inserting segments: [UInt8]) -> [UInt8] {
        Array(jpeg.prefix(2)) + segments + Array(jpeg.dropFirst(2))
    }
}
