import Core
import Foundation

/// Picks the codec from the file's leading bytes rather than its extension, since
/// datasets in the wild contain PNGs named `.jpg` and the other way round.
public enum ImageDecoder {
    /// The formats the calibration pipeline reads.
    public enum Format: String, Sendable {
        case jpeg
        case png
    }

    /// The format `bytes` start with, or nil when they are neither JPEG nor PNG.
    public static func format(of bytes: [UInt8]) -> Format? {
        if bytes.starts(with: [0xFF, 0xD8, 0xFF]) { return .jpeg }
        if bytes.starts(with: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]) { return .png }
        return nil
    }

    /// Decodes JPEG or PNG `bytes` to RGB exactly as `reader` reads them; `name` appears in
    /// error messages.
    public static func decode(_ bytes: [UInt8], name: String, reader: ImageReader) throws(ImageFileError) -> RGBImage {
        guard !bytes.isEmpty else { throw .emptyFile(name: name) }
        switch format(of: bytes) {
        case .jpeg: return try JPEGCodec.decode(bytes, name: name, reader: reader)
        case .png: return try PNGCodec.decode(bytes, name: name, reader: reader)
        case nil:
            let leading = bytes.prefix(8).map { String(format: "%02X", $0) }.joined(separator: " ")
            throw .unsupportedFormat(name: name, leadingBytes: leading)
        }
    }

    /// Reads and decodes the file at `url` as `reader` does; errors name its last path component.
    public static func decode(contentsOf url: URL, reader: ImageReader) throws(ImageFileError) -> RGBImage {
        try decode(readBytes(url), name: url.lastPathComponent, reader: reader)
    }

    /// The bytes of the file at `url`.
    static func readBytes(_ url: URL) throws(ImageFileError) -> [UInt8] {
        do {
            return try AtomicFile.read(url.path)
        } catch let error as FileError {
            throw .unreadable(path: url.path, reason: ImageFileError.oneLine(error.reason))
        } catch {
            throw .unreadable(path: url.path, reason: ImageFileError.oneLine(String(describing: error)))
        }
    }
}
