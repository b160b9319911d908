/// Finds a JPEG's EXIF metadata without decoding it, so the orientation can be read the
/// way OpenCV reads it: the first APP1 segment before the scan whose payload starts with
/// `Exif\0\0` (XMP and other APP1 segments are passed over).
public enum JPEGExifSegment {
    /// The TIFF structure inside the first `Exif` APP1 segment of `jpeg`, or nil when there
    /// is none before the first scan or the segments are malformed on the way to it.
    public static func tiff(in jpeg: [UInt8]) -> ArraySlice<UInt8>? {
        guard jpeg.starts(with: [0xFF, 0xD8]) else { return nil }
        let header: [UInt8] = Array("Exif".utf8) + [0, 0]
        var position = 2
        while position + 4 <= jpeg.count {
            guard jpeg[position] == 0xFF else { return nil }
            let marker = jpeg[position + 1]
            if marker == 0xFF {  // fill byte before a marker
                position += 1
                continue
            }
            if marker == 0x01 || (0xD0...0xD7).contains(marker) {  // no length field
                position += 2
                continue
            }
            if marker == 0xDA || marker == 0xD9 { return nil }  // start of scan, end of image
            let length = Int(jpeg[position + 2]) << 8 | Int(jpeg[position + 3])
            let payload = position + 4
            let end = position + 2 + length
            guard length >= 2, end <= jpeg.count else { return nil }
            if marker == 0xE1, jpeg[payload..<end].starts(with: header) {
                return jpeg[(payload + header.count)..<end]
            }
            position = end
        }
        return nil
    }
}
