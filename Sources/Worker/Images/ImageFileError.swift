import Core
import Foundation

/// Why an image file or image folder could not be read, decoded or written; every case
/// names the file or folder so a failed calibration run points at the culprit.
public enum ImageFileError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file holds no bytes.
    case emptyFile(name: String)
    /// The file starts with neither the JPEG nor the PNG signature.
    case unsupportedFormat(name: String, leadingBytes: String)
    /// libjpeg-turbo rejected the data, or only decoded it with a warning.
    case corruptJPEG(name: String, reason: String)
    /// libpng rejected the data.
    case corruptPNG(name: String, reason: String)
    /// The header announces an empty image or more pixels than the decoder will allocate.
    case unsupportedSize(name: String, width: Int, height: Int)
    /// An image could not be compressed (the codec's message is kept).
    case encodingFailed(format: String, reason: String)
    /// Reading a file failed.
    case unreadable(path: String, reason: String)
    /// Writing a file failed.
    case unwritable(path: String, reason: String)
    /// The image folder does not exist.
    case folderMissing(path: String)
    /// The image folder path names something that is not a directory.
    case notADirectory(path: String)
    /// The folder holds no .jpg, .jpeg or .png files.
    case noImages(folder: String)
    /// Files named by the calibration list are not in the folder; `names` lists them all.
    case missingFiles(folder: String, names: [String])
    /// An image index outside the dataset.
    case indexOutOfRange(index: Int, count: Int, folder: String)

    /// How many missing names the description spells out before summarising the rest.
    static let missingNamesShown = 5

    public var description: String {
        switch self {
        case let .emptyFile(name):
            "empty image file '\(name)'"
        case let .unsupportedFormat(name, leadingBytes):
            "unsupported image format '\(name)': not JPEG or PNG (starts with \(leadingBytes))"
        case let .corruptJPEG(name, reason):
            "corrupt JPEG '\(name)': \(reason)"
        case let .corruptPNG(name, reason):
            "corrupt PNG '\(name)': \(reason)"
        case let .unsupportedSize(name, width, height):
            "image '\(name)' has unsupported size \(width)x\(height) (at most \(ImageFileError.maximumPixels) pixels)"
        case let .encodingFailed(format, reason):
            "cannot encode \(format): \(reason)"
        case let .unreadable(path, reason):
            "cannot read '\(path)': \(reason)"
        case let .unwritable(path, reason):
            "cannot write '\(path)': \(reason)"
        case let .folderMissing(path):
            "image folder '\(path)' does not exist"
        case let .notADirectory(path):
            "image folder '\(path)' is not a directory"
        case let .noImages(folder):
            "no .jpg, .jpeg or .png images in folder '\(folder)'"
        case let .missingFiles(folder, names):
            {
                let shown = names.prefix(ImageFileError.missingNamesShown).joined(separator: ", ")
                let more = names.count - ImageFileError.missingNamesShown
                let tail = more > 0 ? " and \(more) more" : ""
                let noun = names.count == 1 ? "image" : "images"
                return "\(names.count) listed \(noun) missing from '\(folder)': \(shown)\(tail)"
            }()
        case let .indexOutOfRange(index, count, folder):
            "image index \(index) is outside 0..<\(count) of '\(folder)'"
        }
    }

    /// The largest pixel count the decoders accept (about 300 MB of RGB), so a forged
    /// header cannot make the worker allocate without bound.
    static let maximumPixels = 100_000_000

    /// Throws `unsupportedSize` unless `width` x `height` is positive and within `maximumPixels`.
    static func checkSize(width: Int, height: Int, name: String) throws(ImageFileError) {
        guard let bytes = RGBImage.byteCount(width: width, height: height), bytes / 3 <= maximumPixels else {
            throw .unsupportedSize(name: name, width: width, height: height)
        }
    }

    /// Keeps a library or system message on one line.
    static func oneLine(_ message: String) -> String {
        message.split(whereSeparator: \.isNewline).joined(separator: " ")
            .trimmingCharacters(in: .whitespaces)
    }
}
