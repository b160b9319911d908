#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes the small text files that hold keys, with POSIX calls so
/// that a secret key is never readable by others, not even for a moment, and a
/// crash never leaves a half-written key file behind.
enum TextFile {
    /// The whole file at `path`, decoded as UTF-8 (invalid bytes become U+FFFD).
    /// - Throws: ``CurveKeyError/fileSystem(path:operation:code:)``.
    static func load(path: String) throws -> String {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw CurveKeyError.fileSystem(path: path, operation: "open", code: errno) }
        defer { _ = close(descriptor) }
        var contents: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { break }
            if count < 0 {
                if errno == EINTR { continue }
                throw CurveKeyError.fileSystem(path: path, operation: "read", code: errno)
            }
            contents.append(contentsOf: chunk[0..<count])
        }
        return String(decoding: contents, as: UTF8.self)
    }

    /// Writes `text` to `path` atomically: readers see the old file or the
    /// complete new one, never a part.
    ///
    /// The text goes to a temporary file next to `path`, created with
    /// `permissions` (further restricted by the umask, never widened), flushed
    /// to disk, and then renamed over `path` (`overwrite`) or hard-linked to it,
    /// which fails instead of replacing an existing file. The temporary file is
    /// removed in every case.
    /// - Throws: ``CurveKeyError/fileExists(path:)`` when `path` exists and
    ///   `overwrite` is false, ``CurveKeyError/fileSystem(path:operation:code:)``
    ///   for any other failure.
    static func save(_ text: String, to path: String, permissions: mode_t, overwrite: Bool) throws {
        let temporary = "\(path).tmp-\(getpid())-\(UInt32.random(in: .min ... .max))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        // Errors name `path`: the temporary file is an implementation detail,
        // and it fails for the same reasons (missing directory, permissions).
        guard descriptor >= 0 else { throw CurveKeyError.fileSystem(path: path, operation: "create", code: errno) }
        defer { _ = unlink(temporary) }
        do {
            try writeAll(Array(text.utf8), to: descriptor, path: path)
            guard fsync(descriptor) == 0 else { throw CurveKeyError.fileSystem(path: path, operation: "fsync", code: errno) }
        } catch {
            _ = close(descriptor)
            throw error
        }
        guard close(descriptor) == 0 else { throw CurveKeyError.fileSystem(path: path, operation: "close", code: errno) }
        if overwrite {
            guard rename(temporary, path) == 0 else { throw CurveKeyError.fileSystem(path: path, operation: "rename to", code: errno) }
        } else if link(temporary, path) != 0 {
            if errno == EEXIST { throw CurveKeyError.fileExists(path: path) }
            throw CurveKeyError.fileSystem(path: path, operation: "link to", code: errno)
        }
    }

    /// Writes every byte, resuming after short writes and signal interruptions;
    /// `path` names the file in errors.
    private static func writeAll(_ bytes: [UInt8], to descriptor: Int32, path: String) throws {
        var offset = 0
        while offset < bytes.count {
            let count = bytes[offset...].withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw CurveKeyError.fileSystem(path: path, operation: "write", code: errno)
            }
            offset += count
        }
    }
}
