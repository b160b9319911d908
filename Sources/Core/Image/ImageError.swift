/// Why an in-memory image operation or a calibration list was rejected; the Core
/// module cannot name files it never opened, so each case carries the context it has.
public enum ImageError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The pixel buffer does not hold `width * height * 3` bytes, or a side is not positive.
    case invalidPixelBuffer(width: Int, height: Int, byteCount: Int)
    /// A resize was asked for a target with a side that is not positive.
    case invalidTargetSize(width: Int, height: Int)
    /// A calibration list names the same file twice.
    case duplicateListEntry(source: String, name: String, line: Int, firstLine: Int)
    /// A calibration list holds no file names at all.
    case emptyList(source: String)

    public var description: String {
        switch self {
        case let .invalidPixelBuffer(width, height, byteCount):
            "invalid RGB image \(width)x\(height): sides must be positive and the buffer must hold "
                + "width*height*3 bytes, got \(byteCount)"
        case let .invalidTargetSize(width, height):
            "invalid resize target \(width)x\(height): sides must be positive"
        case let .duplicateListEntry(source, name, line, firstLine):
            "duplicate entry '\(name)' in calibration list '\(source)' line \(line) (first on line \(firstLine))"
        case let .emptyList(source):
            "calibration list '\(source)' names no images"
        }
    }
}
