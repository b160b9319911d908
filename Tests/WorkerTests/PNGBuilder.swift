/// Writes PNGs chunk by chunk, so tests can make exactly the files real readers disagree
/// on (gAMA, 16-bit, palettes with tRNS, sub-8-bit grey, eXIf) without a PNG encoder
/// choosing for them. Image data goes in one stored (uncompressed) deflate block, which
/// makes the bytes fully determined by the arguments; the reference values in the tests
/// were measured on these same bytes.
enum PNGBuilder {
    /// A PNG of `width` x `height` with IHDR `bitDepth` and `colourType`, the given
    /// unfiltered `rows`, and extra chunks before and after the image data.
    static func png(
        width: UInt32, height: UInt32, bitDepth: UInt8, colourType: UInt8, rows: [[UInt8]],
        before: [(String, [UInt8])] = [], after: [(String, [UInt8])] = []
    ) -> [UInt8] {
        let header = bigEndian(width) + bigEndian(height) + [bitDepth, colourType, 0, 0, 0]
        var bytes: [UInt8] = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + chunk("IHDR", header)
        for (kind, data) in before { bytes += chunk(kind, data) }
        bytes += chunk("IDAT", storedZlib(rows.flatMap { [0] + $0 }))
        for (kind, data) in after { bytes += chunk(kind, data) }
        return bytes + chunk("IEND", [])
    }

    /// 16-bit samples as big-endian bytes.
    static func samples16(_ values: [UInt16]) -> [UInt8] {
        values.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
    }

    static func bigEndian(_ value: UInt32) -> [UInt8] {
        [UInt8(value >> 24), UInt8(value >> 16 & 0xFF), UInt8(value >> 8 & 0xFF), UInt8(value & 0xFF)]
    }

    static func chunk(_ kind: String, _ data: [UInt8]) -> [UInt8] {
        let typed = Array(kind.utf8) + data
        return bigEndian(UInt32(data.count)) + typed + bigEndian(crc32(typed))
    }

    /// A zlib stream holding `data` (under 64 KiB) in one stored block.
    static func storedZlib(_ data: [UInt8]) -> [UInt8] {
        let length = UInt16(data.count)
        var (a, b): (UInt32, UInt32) = (1, 0)
        for byte in data {
            a = (a + UInt32(byte)) % 65521
            b = (b + a) % 65521
        }
        return [0x78, 0x01, 0x01, UInt8(length & 0xFF), UInt8(length >> 8), UInt8(~length & 0xFF), UInt8(~length >> 8)]
            + data + bigEndian(b << 16 | a)
    }

    /// The CRC-32 PNG chunks end with (polynomial 0xEDB88320, bit by bit).
    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = crc & 1 == 1 ? 0xEDB8_8320 ^ (crc >> 1) : crc >> 1 }
        }
        return ~crc
    }
}
