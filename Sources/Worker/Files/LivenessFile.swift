import Foundation

/// A file a worker rewrites on every heartbeat, so that a container's health check can
/// ask the process itself whether its loop still turns: a stale file means a stuck or
/// gone worker (`calib health --file PATH --max-age S`). The file holds one line of the
/// worker's own state, starting with `calib worker`; its age is judged by its
/// modification time. The worker removes it when it ends.
public struct LivenessFile: Sendable {
    /// Where the file is.
    public let path: String

    public init(path: String) {
        self.path = path
    }

    /// Replaces the file with `line` (written next to it, then renamed into place, so a
    /// reader never sees half a line).
    public func touch(_ line: String) throws {
        let scratch = path + ".tmp"
        let bytes = Array((line + "\n").utf8)
        let descriptor = open(scratch, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw Self.failure(path) }
        let written = bytes.withUnsafeBytes { write(descriptor, $0.baseAddress, $0.count) }
        let error = written == bytes.count ? nil : Self.failure(path)
        close(descriptor)
        if let error { throw error }
        guard rename(scratch, path) == 0 else {
            let error = Self.failure(path)
            unlink(scratch)
            throw error
        }
    }

    /// The first line every worker writes starts with this.
    public static let prefix = "calib worker"

    /// Seconds since the file was last rewritten, as of `now`.
    /// - Throws: `FileError` when the file is missing, not a regular file, does not hold a
    ///   worker's line, or was rewritten more than a second in the future (a clock set back).
    public func age(now: Date = Date()) throws -> Double {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Self.failure(path)
        }
        guard info.st_mode & S_IFMT == S_IFREG else {
            throw FileError(path: path, reason: "is not a regular file")
        }
        guard let line = FileManager.default.contents(atPath: path), line.starts(with: Array(Self.prefix.utf8)) else {
            throw FileError(path: path, reason: "does not hold a line written by calib worker")
        }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        let age = now.timeIntervalSince1970 - modified
        guard age >= -1 else {
            throw FileError(path: path, reason: "was rewritten \(String(format: "%.1f", -age)) s in the future (was the clock set back?)")
        }
        return max(age, 0)
    }

    /// Removes the file (a worker that ends is no longer alive); a missing file is no error.
    public func remove() {
        unlink(path)
    }

    /// The last system call's failure on `path`.
    private static func failure(_ path: String) -> FileError {
        FileError(path: path, reason: String(cString: strerror(errno)))
    }
}
