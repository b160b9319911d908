import Foundation
import Protocol

/// Whole-file reads and crash-safe writes. A write goes to a temporary file in the
/// target's folder, is flushed to disk, then renamed over the target, so readers see
/// the old file or the complete new one, never a half-written one (a full disk included).
public enum AtomicFile {
    /// A file written in full under a temporary name in its target's folder and flushed,
    /// waiting to be renamed into place by `replace` (or removed by `discard`).
    public struct StagedFile: Sendable {
        /// The temporary file.
        let temporary: String
        /// Where it goes.
        public let path: String
    }

    /// The file's bytes; a missing or unreadable file is a `FileError` naming it.
    public static func read(_ path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw FileError(path: path, reason: "is a folder, not a file")
        }
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

    /// Writes one file atomically and flushes its folder.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let staged = try stage(bytes, for: path)
        defer { discard(staged) }
        try replace(staged)
        try flushFolder(of: path)
    }

    /// Writes `bytes` to a temporary file next to `path` and flushes it; `path` is not
    /// touched. Throws `FileError` naming `path` (a full disk, no permission).
    public static func stage(_ bytes: [UInt8], for path: String) throws -> StagedFile {
        let temporary = stagingPath(for: path)
        do throws(SystemCallError) {
            let file = try PosixFile.open(temporary, flags: O_WRONLY | O_CREAT | O_TRUNC, operation: "create", reportedAs: path)
            defer { try? file.close() }
            do {
                try file.writeAll(bytes)
                try file.flush()
            } catch {
                unlink(temporary)
                throw error
            }
        } catch {
            throw FileError(path: path, reason: "\(error.operation) failed: \(error.reason)")
        }
        return StagedFile(temporary: temporary, path: path)
    }

    /// The temporary name `stage` writes `path` under: `.NAME.PID.partial` in its folder.
    public static func stagingPath(for path: String) -> String {
        PosixFile.stagingPath(for: path)
    }

    /// Renames a staged file over its target.
    public static func replace(_ staged: StagedFile) throws {
        guard rename(staged.temporary, staged.path) == 0 else {
            throw FileError(path: staged.path, reason: "cannot replace: \(String(cString: strerror(errno)))")
        }
    }

    /// Removes a staged file that was not (or could not be) put in place; harmless after `replace`.
    public static func discard(_ staged: StagedFile) {
        unlink(staged.temporary)
    }

    /// Removes the file at `path` if there is one.
    public static func remove(_ path: String) throws {
        guard unlink(path) == 0 || errno == ENOENT else {
            throw FileError(path: path, reason: "cannot remove: \(String(cString: strerror(errno)))")
        }
    }

    /// Flushes the folder holding `path`, so that renames and removals in it are on disk.
    public static func flushFolder(of path: String) throws {
        do {
            try PosixFile.flushFolder(of: path)
        } catch {
            throw FileError(path: path, reason: "\(error.operation) failed: \(error.reason)")
        }
    }
}
