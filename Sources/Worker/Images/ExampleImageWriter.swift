import Core
import Foundation
import Protocol

/// Fills a folder with synthetic calibration images when real ones (COCO) cannot be
/// downloaded, so the whole pipeline, from files on disk to statistics, runs as in production.
public struct ExampleImageWriter: Sendable {
    /// The folder images are written to; created if needed.
    public let directory: URL
    /// The seed passed to `RGBImage.synthetic(index:seed:)`.
    public let seed: UInt64
    /// JPEG quality of the written files.
    public static let jpegQuality = 90

    public init(directory: URL, seed: UInt64 = RGBImage.defaultSyntheticSeed) {
        self.directory = directory
        self.seed = seed
    }

    /// The name `write(count:)` gives image `index`: `example_000000.jpg`, ...
    public static func exampleName(_ index: Int) -> String {
        let digits = String(index)
        return "example_" + String(repeating: "0", count: max(6 - digits.count, 0)) + digits + ".jpg"
    }

    /// Writes synthetic images 0..<`count` as `example_000000.jpg`, ... and returns their names.
    @discardableResult
    public func write(count: Int) throws(ImageFileError) -> [String] {
        try write(names: (0..<max(count, 0)).map(ExampleImageWriter.exampleName))
    }

    /// Writes synthetic image `i` under `names[i]` for the first `limit` names (all when
    /// nil), e.g. the names of MLPerf's calibration list, and returns the names written.
    /// Names ending in `.png` get a PNG, all others a JPEG. Each file appears atomically.
    /// With `instancesPath`, also writes a COCO instances file of those images whose
    /// boxes are the shapes drawn on them (`COCOInstancesWriter`).
    @discardableResult
    public func write(names: [String], limit: Int? = nil, instancesPath: String? = nil) throws(ImageFileError) -> [String] {
        let chosen = Array(names.prefix(max(limit ?? names.count, 0)))
        for name in chosen where name.isEmpty || name.contains("/") || name == "." || name == ".." {
            throw .unwritable(path: directory.appendingPathComponent(name).path, reason: "not a plain file name")
        }
        for name in chosen where !CalibrationDataset.imageExtensions.contains(URL(fileURLWithPath: name).pathExtension.lowercased()) {
            throw .unwritable(
                path: directory.appendingPathComponent(name).path, reason: "not a .jpg, .jpeg or .png name: calib reads only those")
        }
        do throws(SystemCallError) {
            try PosixFile.createFolders(directory.path)
        } catch {
            throw .unwritable(path: error.path, reason: error.reason)
        }
        if let instancesPath {
            do {
                try OutputLocation.checkWritable(instancesPath)
            } catch let error as FileError {
                throw .unwritable(path: instancesPath, reason: ImageFileError.oneLine(error.reason))
            } catch {
                throw .unwritable(path: instancesPath, reason: ImageFileError.oneLine(String(describing: error)))
            }
        }
        var annotated = [COCOInstancesWriter.Image]()
        for (index, name) in chosen.enumerated() {
            let scene = RGBImage.syntheticScene(index: index, seed: seed)
            let image = scene.image
            annotated.append(.init(fileName: name, width: image.width, height: image.height, objects: scene.objects))
            let target = directory.appendingPathComponent(name)
            let bytes: [UInt8]
            do {
                bytes =
                    target.pathExtension.lowercased() == "png"
                    ? try PNGCodec.encode(image) : try JPEGCodec.encode(image, quality: ExampleImageWriter.jpegQuality)
            } catch {
                throw .unwritable(path: target.path, reason: error.description)
            }
            do {
                // Temporary file in the same folder, flushed, then renamed over the target.
                try AtomicFile.write(bytes, to: target.path)
            } catch let error as FileError {
                throw .unwritable(path: target.path, reason: ImageFileError.oneLine(error.reason))
            } catch {
                throw .unwritable(path: target.path, reason: ImageFileError.oneLine(String(describing: error)))
            }
        }
        if let instancesPath {
            do {
                try AtomicFile.write(COCOInstancesWriter.json(annotated), to: instancesPath)
            } catch let error as FileError {
                throw .unwritable(path: instancesPath, reason: ImageFileError.oneLine(error.reason))
            } catch {
                throw .unwritable(path: instancesPath, reason: ImageFileError.oneLine(String(describing: error)))
            }
        }
        return chosen
    }
}
