import Core
import Foundation

/// The ordered set of calibration images a run feeds through the model: either every
/// image in a folder, or exactly the files an MLPerf `cali.txt` list names, in list order,
/// so every worker and every rerun sees the same images in the same order.
public struct CalibrationDataset: Sendable, Equatable {
    /// The folder holding the images.
    public let folder: URL
    /// File names relative to `folder`, in calibration order.
    public let names: [String]

    /// Image extensions picked up when no list is given (compared case-insensitively).
    public static let imageExtensions: Set<String> = ["jpg", "jpeg", "png"]

    /// The number of images.
    public var count: Int { names.count }

    /// Without a list: every `.jpg`, `.jpeg` and `.png` file of `folder` (any letter case,
    /// hidden files skipped), sorted by name. With a list: exactly its files in its order;
    /// if any are absent, one error names all of them.
    public init(folder: URL, list: CalibrationList? = nil) throws(ImageFileError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder.path, isDirectory: &isDirectory) else {
            throw .folderMissing(path: folder.path)
        }
        guard isDirectory.boolValue else { throw .notADirectory(path: folder.path) }
        self.folder = folder

        if let list {
            let missing = list.names.filter { name in
                var isDirectory: ObjCBool = false
                let path = folder.appendingPathComponent(name).path
                return !FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
                    || isDirectory.boolValue
            }
            guard missing.isEmpty else { throw .missingFiles(folder: folder.path, names: missing) }
            names = list.names
        } else {
            let entries: [String]
            do {
                entries = try FileManager.default.contentsOfDirectory(atPath: folder.path)
            } catch {
                throw .unreadable(path: folder.path, reason: ImageFileError.oneLine(error.localizedDescription))
            }
            names = entries.filter { name in
                var isDirectory: ObjCBool = false
                let url = folder.appendingPathComponent(name)
                return !name.hasPrefix(".")
                    && CalibrationDataset.imageExtensions.contains(url.pathExtension.lowercased())
                    && FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory)
                    && !isDirectory.boolValue
            }.sorted()
            guard !names.isEmpty else { throw .noImages(folder: folder.path) }
        }
    }

    /// Like `init(folder:list:)` with the list read from `listFile` (errors name that file).
    public init(folder: URL, listFile: URL) throws {
        let text: String
        do {
            text = String(decoding: try AtomicFile.read(listFile.path), as: UTF8.self)
        } catch let error as FileError {
            throw ImageFileError.unreadable(path: listFile.path, reason: error.reason)
        }
        try self.init(folder: folder, list: CalibrationList(text: text, source: listFile.lastPathComponent))
    }

    private init(folder: URL, names: [String]) {
        self.folder = folder
        self.names = names
    }

    /// The first `count` images (all of them if there are fewer; none if `count` < 1),
    /// like POT's `stat_subset_size`.
    public func subset(_ count: Int) -> CalibrationDataset {
        CalibrationDataset(folder: folder, names: Array(names.prefix(max(count, 0))))
    }

    /// The location of image `index`.
    public func url(at index: Int) throws(ImageFileError) -> URL {
        guard names.indices.contains(index) else {
            throw .indexOutOfRange(index: index, count: count, folder: folder.path)
        }
        return folder.appendingPathComponent(names[index])
    }

    /// Reads and decodes image `index` at its own size, as `reader` reads it.
    public func image(at index: Int, reader: ImageReader) throws(ImageFileError) -> RGBImage {
        let url = try url(at: index)
        return try ImageDecoder.decode(ImageDecoder.readBytes(url), name: names[index], reader: reader)
    }

    /// Image `index` as the network input: decoded as `reader` reads it, resized to
    /// `width` x `height` with `interpolation`, and laid out as an NCHW float tensor (N = 1,
    /// values 0...255) with planes in `channelOrder`.
    public func tensor(
        at index: Int, width: Int, height: Int, interpolation: Interpolation, channelOrder: ChannelOrder,
        reader: ImageReader
    ) throws -> [Float] {
        try image(at: index, reader: reader)
            .resized(width: width, height: height, interpolation: interpolation)
            .planarTensor(channelOrder: channelOrder)
    }

    /// Image `index` as one image of `input`: decoded as `reader` reads it, resized to the
    /// input's size with `interpolation`, in its layout (channels in `channelOrder`, or grey).
    public func values(
        at index: Int, for input: ImageInput, interpolation: Interpolation, channelOrder: ChannelOrder, reader: ImageReader
    ) throws -> [Float] {
        input.values(
            of: try image(at: index, reader: reader).resized(width: input.width, height: input.height, interpolation: interpolation),
            channelOrder: channelOrder)
    }

    /// Image `index` as the input of a square `resolution` x `resolution` network.
    public func tensor(
        at index: Int, resolution: Int, interpolation: Interpolation, channelOrder: ChannelOrder, reader: ImageReader
    ) throws -> [Float] {
        try tensor(
            at: index, width: resolution, height: resolution, interpolation: interpolation,
            channelOrder: channelOrder, reader: reader)
    }
}
