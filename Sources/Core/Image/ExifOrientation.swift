/// How a camera says its picture must be turned for display (EXIF tag 0x0112), so that a
/// reader that honours it (OpenCV) can be followed pixel for pixel. Cases are named, as in
/// TIFF, by where the stored first row and first column end up: `rightTop` means the first
/// row is shown on the right and the first column at the top (turn 90° clockwise).
public enum ExifOrientation: UInt16, Sendable, CaseIterable {
    /// As stored.
    case topLeft = 1
    /// Mirrored left to right.
    case topRight = 2
    /// Turned 180°.
    case bottomRight = 3
    /// Mirrored top to bottom.
    case bottomLeft = 4
    /// Transposed (mirrored about the main diagonal).
    case leftTop = 5
    /// Turned 90° clockwise.
    case rightTop = 6
    /// Transposed about the other diagonal.
    case rightBottom = 7
    /// Turned 90° counter-clockwise.
    case leftBottom = 8

    /// The orientation in a TIFF structure (a JPEG `Exif` APP1 segment after its 6-byte
    /// header, or a PNG eXIf chunk), found the way OpenCV's EXIF reader finds it, so that
    /// damaged metadata turns a picture exactly when OpenCV would turn it:
    ///
    /// - byte order `II` or `MM`, then 42, then the offset of IFD0;
    /// - IFD0's entries are read in order, as many as its count says; the first 0x0112 entry
    ///   gives the first 16 bits of its value field, whatever type and count it claims;
    /// - reading stops, with no orientation, at an entry that runs past the data, or at one
    ///   of the text, rational and short tags OpenCV decodes whose value lies outside it.
    ///
    /// Nil (nothing is turned) when no entry was found that way or its value is not 1...8.
    public init?(tiff: ArraySlice<UInt8>) {
        let data = Array(tiff)
        guard data.count >= 2, data[0] == data[1], data[0] == 0x49 || data[0] == 0x4D else { return nil }
        let bigEndian = data[0] == 0x4D
        func u16(_ at: Int) -> Int? {
            guard at + 2 <= data.count else { return nil }
            return bigEndian ? Int(data[at]) << 8 | Int(data[at + 1]) : Int(data[at + 1]) << 8 | Int(data[at])
        }
        func u32(_ at: Int) -> Int? {
            guard let first = u16(at), let second = u16(at + 2) else { return nil }
            return bigEndian ? first << 16 | second : second << 16 | first
        }
        guard u16(2) == 42, let ifd = u32(4), let count = u16(ifd) else { return nil }
        for entry in 0..<count {
            let start = ifd + 2 + entry * 12
            guard let tag = u16(start) else { return nil }
            if tag == 0x0112 {
                guard let value = u16(start + 8), let orientation = ExifOrientation(rawValue: UInt16(value)) else {
                    return nil
                }
                self = orientation
                return
            }
            if ExifOrientation.textTags.contains(tag) {
                // Up to 4 bytes of text sit at offset 8 of the whole structure (sic), longer
                // text at the offset the entry holds.
                guard let size = u32(start + 4), let offset = size > 4 ? u32(start + 8) : 8,
                    offset + size <= data.count
                else { return nil }
            } else if let rationals = ExifOrientation.rationalTags[tag] {
                guard let offset = u32(start + 8), offset + 8 * rationals <= data.count else { return nil }
            } else if ExifOrientation.shortTags.contains(tag) {
                guard u16(start + 8) != nil else { return nil }
            }
        }
        return nil
    }

    /// IFD0 tags OpenCV reads as text: description, make, model, software, date, copyright.
    private static let textTags: Set<Int> = [0x010E, 0x010F, 0x0110, 0x0131, 0x0132, 0x8298]
    /// IFD0 tags OpenCV reads as that many unsigned rationals: resolutions, white point,
    /// primaries, YCbCr coefficients, reference black and white.
    private static let rationalTags: [Int: Int] = [
        0x011A: 1, 0x011B: 1, 0x013E: 2, 0x013F: 6, 0x0211: 3, 0x0214: 6,
    ]
    /// IFD0 tags OpenCV reads as one short: resolution unit, YCbCr positioning.
    private static let shortTags: Set<Int> = [0x0128, 0x0213]

    /// Whether width and height trade places.
    public var swapsSides: Bool { rawValue >= 5 }

    /// `image` turned for display.
    public func apply(to image: RGBImage) -> RGBImage {
        guard self != .topLeft else { return image }
        let (width, height) = (image.width, image.height)
        let (outWidth, outHeight) = swapsSides ? (height, width) : (width, height)
        let source = image.pixels
        let pixels = [UInt8](unsafeUninitializedCapacity: source.count) { output, initialized in
            for y in 0..<outHeight {
                for x in 0..<outWidth {
                    let (sx, sy): (Int, Int)
                    switch self {
                    case .topLeft: (sx, sy) = (x, y)
                    case .topRight: (sx, sy) = (width - 1 - x, y)
                    case .bottomRight: (sx, sy) = (width - 1 - x, height - 1 - y)
                    case .bottomLeft: (sx, sy) = (x, height - 1 - y)
                    case .leftTop: (sx, sy) = (y, x)
                    case .rightTop: (sx, sy) = (y, height - 1 - x)
                    case .rightBottom: (sx, sy) = (width - 1 - y, height - 1 - x)
                    case .leftBottom: (sx, sy) = (width - 1 - y, x)
                    }
                    let from = (sy * width + sx) * 3, to = (y * outWidth + x) * 3
                    output[to] = source[from]
                    output[to + 1] = source[from + 1]
                    output[to + 2] = source[from + 2]
                }
            }
            initialized = source.count
        }
        return RGBImage(validWidth: outWidth, validHeight: outHeight, pixels: pixels)
    }
}
