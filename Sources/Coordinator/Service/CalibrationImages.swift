/// The calibration set as a coordinator needs it: image files by index in the
/// calibration list, to ship to workers as they are. The coordinator never decodes an
/// image, so it needs no image library and no inference runtime.
public protocol CalibrationImages: Sendable {
    /// Number of images.
    var count: Int { get }

    /// The file name of image `index` (0..<count), as workers and errors name it.
    /// - Throws: when `index` is outside the set.
    func name(at index: Int) throws -> String

    /// The size of image `index`'s file in bytes, or nil when it cannot be read: part of
    /// the journal's job key, so a changed image is another job.
    func fileSize(at index: Int) -> Int?

    /// The whole file of image `index`.
    /// - Throws: an error naming the file when it cannot be read.
    func bytes(at index: Int) throws -> [UInt8]
}
