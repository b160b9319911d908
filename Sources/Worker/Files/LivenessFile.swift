import Foundation

/// A file a worker rewrites on every heartbeat, so that a container's health check can
/// ask the process itself whether its loop still turns: a stale file means a stuck or
/// gone worker (`calib health --file PATH --max-age S`). The file holds one line of the
/// worker's own state; only its modification time is judged.
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

    /// Seconds since the file was last rewritten, as of `now`.
    public func age(now: Date = Date()) throws -> Double {
        var info = stat()
        guard stat(path, &info) == 0 else {
            throw Self.failure(path)
        }
        let modified = Double(info.st_mtim.tv_sec) + Double(info.st_mtim.tv_nsec) / 1e9
        return now.timeIntervalSince1970 - modified
    }

    /// The last system call's failure on `path`.
    private static func failure(_ path: String) -> FileError {
        FileError(path: path, reason: String(cString: strerror(errno)))
    }
}
