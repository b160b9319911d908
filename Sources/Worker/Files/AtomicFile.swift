import Foundation

/// Whole-file reads and crash-safe writes. A write goes to a temporary file in the
/// target's folder, is flushed to disk, then renamed over the target, so readers see
/// the old file or the complete new one, never a half-written one (a full disk included).
public enum AtomicFile {
    /// The file's bytes; a missing or unreadable file is a `FileError` naming it.
    public static func read(_ path: String) throws -> [UInt8] {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            let exists = FileManager.default.fileExists(atPath: path)
            throw FileError(path: path, reason: exists ? "cannot be read" : "no such file")
        }
        defer { try? handle.close() }
        do {
            return try [UInt8](handle.readToEnd() ?? Data())
        } catch {
            throw FileError(path: path, reason: "read failed: \(error.localizedDescription)")
        }
    }

    /// Writes several files so that each is complete before any is renamed into place;
    /// on any failure no target is touched and the temporary files are removed.
    public static func write(_ files: [(path: String, bytes: [UInt8])]) throws {
        var staged = [(temporary: String, path: String)]()
        defer { for file in staged { unlink(file.temporary) } }
        for file in files {
            let temporary = temporaryPath(for: file.path)
            staged.append((temporary, file.path))
            try writeFlushed(file.bytes, to: temporary, reportedAs: file.path)
        }
        for file in staged where rename(file.temporary, file.path) != 0 {
            throw FileError(path: file.path, reason: "cannot replace: \(String(cString: strerror(errno)))")
        }
    }

    /// Writes one file atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        try write([(path, bytes)])
    }

    private static func temporaryPath(for path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(getpid()).partial").path
    }

    private static func writeFlushed(_ bytes: [UInt8], to temporary: String, reportedAs path: String) throws {
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else {
            throw FileError(path: path, reason: "cannot create: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var written = 0
        try bytes.withUnsafeBytes { buffer in
            while written < buffer.count {
                let result = Foundation.write(descriptor, buffer.baseAddress! + written, buffer.count - written)
                if result < 0 {
                    if errno == EINTR { continue }
                    throw FileError(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
                }
                written += result
            }
        }
        guard fsync(descriptor) == 0 else {
            throw FileError(path: path, reason: "flush failed: \(String(cString: strerror(errno)))")
        }
    }
}
