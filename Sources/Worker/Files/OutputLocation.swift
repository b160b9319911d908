import Foundation

/// Checks, before any work is done, that a run's output can be written where the user
/// asked and that writing it cannot destroy the model being calibrated: an hour of
/// inference must not end in "permission denied", and `--output` naming the input IR
/// (by any path) must not replace it with the int8 one.
public enum OutputLocation {
    /// Throws `FileError` naming the path when the written IR `outputXML` (or the `.bin`
    /// next to it) is the model `modelXML` or its `.bin` under any path (same device and
    /// inode), when either names a directory, or when their folder does not exist or cannot
    /// be written (checked by creating and removing a file in it). `kind` names the written
    /// IR in messages ("int8 IR", "converted IR", ...).
    public static func checkIR(output outputXML: String, model modelXML: String, kind: String = "int8 IR") throws {
        guard outputXML.lowercased().hasSuffix(".xml") else {
            throw FileError(path: outputXML, reason: "--output names the .xml file of the \(kind) (the .bin goes next to it)")
        }
        let outputs = [outputXML, IRFiles.weightsPath(for: outputXML)]
        let inputs = [modelXML, IRFiles.weightsPath(for: modelXML)]
        for output in outputs {
            guard let target = identity(of: output) else { continue }
            if target.isDirectory {
                throw FileError(path: output, reason: "is a directory; --output names the .xml file of the \(kind)")
            }
            if let input = inputs.first(where: { identity(of: $0).map { $0.sameFile(as: target) } ?? false }) {
                throw FileError(path: output, reason: "is the input model's file \(input): the \(kind) would replace it")
            }
        }
        try checkWritable(outputXML)
    }

    /// Checks a file a run writes besides the IR (`--save-stats`, `--journal`): it must not be
    /// any of the `protected` files (by any path, existing or not), an existing file there
    /// must start with `magic` (a file of its own kind, which it may replace), and its
    /// folder must be writable. `option` and `kind` name it in the error.
    public static func checkSideFile(
        _ path: String, option: String, kind: String, magic: [UInt8], protected: [(path: String, role: String)]
    ) throws {
        let target = identity(of: path)
        for file in protected {
            let same = target.flatMap { mine in identity(of: file.path).map { mine.sameFile(as: $0) } } ?? false
            if same || canonical(path) == canonical(file.path) {
                throw FileError(path: path, reason: "is \(file.role): \(option) would replace it")
            }
        }
        if let target, !target.isDirectory {
            let handle = FileHandle(forReadingAtPath: path)
            defer { try? handle?.close() }
            let start = (try? handle?.read(upToCount: magic.count)).flatMap { $0 }.map { [UInt8]($0) } ?? []
            guard start == magic else {
                throw FileError(path: path, reason: "exists and is not a \(kind): \(option) would replace it; name another file")
            }
        }
        try checkWritable(path)
    }

    /// `path` made absolute, with `.`, `..` and symlinks in its existing part resolved.
    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }

    /// Throws `FileError` naming `path` when it is a directory, or when its folder does
    /// not exist, is not a folder, or does not let a file be created in it.
    public static func checkWritable(_ path: String) throws {
        if identity(of: path)?.isDirectory == true {
            throw FileError(path: path, reason: "is a directory, not a file that can be written")
        }
        let folder = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) else {
            throw FileError(path: path, reason: "cannot be written: folder \(folder) does not exist")
        }
        guard isDirectory.boolValue else {
            throw FileError(path: path, reason: "cannot be written: \(folder) is not a folder")
        }
        let probe = URL(fileURLWithPath: folder).appendingPathComponent(".calib-write-check.\(getpid())").path
        let descriptor = open(probe, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else {
            throw FileError(path: path, reason: "cannot be written: \(String(cString: strerror(errno))) in folder \(folder)")
        }
        close(descriptor)
        unlink(probe)
    }

    /// What `stat` says about the file `path` leads to (symlinks followed), nil if none.
    private static func identity(of path: String) -> FileIdentity? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        return FileIdentity(device: UInt64(status.st_dev), inode: UInt64(status.st_ino), isDirectory: (status.st_mode & S_IFMT) == S_IFDIR)
    }

    /// A file as the file system knows it, whatever path leads to it.
    private struct FileIdentity {
        let device: UInt64
        let inode: UInt64
        let isDirectory: Bool

        func sameFile(as other: FileIdentity) -> Bool { device == other.device && inode == other.inode }
    }
}
