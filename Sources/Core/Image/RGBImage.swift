/// A decoded picture in the one layout the pipeline works with: 8-bit RGB, interleaved,
/// row-major, top row first, no padding. Decoders produce it and the resizer consumes it.
public struct RGBImage: Sendable, Equatable {
    /// Width in pixels (at least 1).
    public let width: Int
    /// Height in pixels (at least 1).
    public let height: Int
    /// `width * height * 3` bytes: R, G, B of pixel (0, 0), then (1, 0), and so on.
    public var pixels: [UInt8]

    /// Wraps `pixels` after checking that the sides are positive and the buffer size matches.
    public init(width: Int, height: Int, pixels: [UInt8]) throws(ImageError) {
        guard let count = RGBImage.byteCount(width: width, height: height), pixels.count == count else {
            throw .invalidPixelBuffer(width: width, height: height, byteCount: pixels.count)
        }
        self.width = width
        self.height = height
        self.pixels = pixels
    }

    /// The buffer size of a `width` x `height` image, or nil when a side is not positive
    /// or the size overflows.
    public static func byteCount(width: Int, height: Int) -> Int? {
        guard width > 0, height > 0 else { return nil }
        let (area, areaOverflow) = width.multipliedReportingOverflow(by: height)
        let (bytes, bytesOverflow) = area.multipliedReportingOverflow(by: 3)
        return areaOverflow || bytesOverflow ? nil : bytes
    }

    /// Creates an image whose size is already known to be valid (internal producers only).
    init(validWidth width: Int, validHeight height: Int, pixels: [UInt8]) {
        self.width = width
        self.height = height
        self.pixels = pixels
    }
}
