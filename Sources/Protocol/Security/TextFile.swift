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
        do {
            let file = try PosixFile.open(path, flags: O_RDONLY)
            defer { try? file.close() }
            return String(decoding: try file.readAll(), as: UTF8.self)
        } catch {
            throw CurveKeyError.fileSystem(path: path, operation: error.operation, code: error.code)
        }
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
        do {
            // Errors name `path`: the temporary file is an implementation detail,
            // and it fails for the same reasons (missing directory, permissions).
            let file = try PosixFile.open(
                temporary, flags: O_WRONLY | O_CREAT | O_EXCL, permissions: permissions, operation: "create", reportedAs: path)
            defer { _ = unlink(temporary) }
            do {
                try file.writeAll(Array(text.utf8))
                try file.flush(operation: "fsync")
            } catch {
                try? file.close()
                throw error
            }
            try file.close()
            if overwrite {
                guard rename(temporary, path) == 0 else { throw SystemCallError(path: path, operation: "rename to", code: errno) }
            } else if link(temporary, path) != 0 {
                if errno == EEXIST { throw CurveKeyError.fileExists(path: path) }
                throw SystemCallError(path: path, operation: "link to", code: errno)
            }
        } catch let error as SystemCallError {
            throw CurveKeyError.fileSystem(path: path, operation: error.operation, code: error.code)
        }
    }
}
