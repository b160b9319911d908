#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An open file and the few POSIX calls calib makes on files that must survive crashes:
/// write all (resuming short writes), read all, flush to disk, lock, cut, and the folder
/// flush and temporary names of atomic replacement. Every call is retried on `EINTR` and
/// fails with ``SystemCallError`` naming the file, the operation and `errno`.
///
/// It exists so that key files (`TextFile`), the journal (`ResultJournal`) and outputs
/// (`AtomicFile`) share one careful layer instead of three.
public struct PosixFile: Sendable {
    /// The descriptor; the owner closes it with `close`.
    public let descriptor: Int32
    /// The path errors name (for a staged file, the file it stands for).
    public let path: String

    /// Opens `at` with `flags` (`O_CLOEXEC` is added) and, when creating, `permissions`
    /// (further restricted by the umask); errors name `path` (default: `at`).
    /// - Throws: ``SystemCallError`` for the `operation` (say, "create" or "open").
    public static func open(
        _ at: String, flags: Int32, permissions: mode_t = 0o644, operation: String = "open", reportedAs path: String? = nil
    ) throws(SystemCallError) -> PosixFile {
        while true {
            #if canImport(Glibc)
            let descriptor = Glibc.open(at, flags | O_CLOEXEC, permissions)
            #else
            let descriptor = Darwin.open(at, flags | O_CLOEXEC, permissions)
            #endif
            if descriptor >= 0 { return PosixFile(descriptor: descriptor, path: path ?? at) }
            if errno != EINTR { throw SystemCallError(path: path ?? at, operation: operation, code: errno) }
        }
    }

    /// Writes every byte of `bytes`, at `offset` (`pwrite`) or at the current position.
    public func writeAll(_ bytes: [UInt8], at offset: Int? = nil, operation: String = "write") throws(SystemCallError) {
        var written = 0
        while written < bytes.count {
            let result = bytes.withUnsafeBytes { buffer in
                let start = buffer.baseAddress! + written
                let count = buffer.count - written
                return offset.map { pwrite(descriptor, start, count, off_t($0 + written)) } ?? write(descriptor, start, count)
            }
            if result < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(path: path, operation: operation, code: errno)
            }
            written += result
        }
    }

    /// Every byte from the current position to the end.
    public func readAll() throws(SystemCallError) -> [UInt8] {
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count == 0 { return bytes }
            if count < 0 {
                if errno == EINTR { continue }
                throw SystemCallError(path: path, operation: "read", code: errno)
            }
            bytes += chunk[0..<count]
        }
    }

    /// Flushes the file's data to disk (`fsync`).
    public func flush(operation: String = "flush") throws(SystemCallError) {
        while fsync(descriptor) != 0 {
            if errno != EINTR { throw SystemCallError(path: path, operation: operation, code: errno) }
        }
    }

    /// Takes an exclusive lock (`flock`) without waiting; false when another holds it.
    public func lockExclusively() throws(SystemCallError) -> Bool {
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            if errno == EWOULDBLOCK { return false }
            if errno != EINTR { throw SystemCallError(path: path, operation: "locking", code: errno) }
        }
        return true
    }

    /// Cuts the file to `length` bytes.
    public func truncate(to length: Int) throws(SystemCallError) {
        while ftruncate(descriptor, off_t(length)) != 0 {
            if errno != EINTR {
                throw SystemCallError(path: path, operation: "cutting to \(length) bytes", code: errno)
            }
        }
    }

    /// Closes the descriptor.
    public func close() throws(SystemCallError) {
        #if canImport(Glibc)
        let result = Glibc.close(descriptor)
        #else
        let result = Darwin.close(descriptor)
        #endif
        if result != 0, errno != EINTR { throw SystemCallError(path: path, operation: "close", code: errno) }
    }

    /// A name next to `path` for a file written before it is put in place:
    /// `.NAME.PID.partial` in the same folder (so a rename stays on one file system).
    public static func stagingPath(for path: String) -> String {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { String(path[...$0]) } ?? ""
        let name = slash.map { String(path[path.index(after: $0)...]) } ?? path
        return "\(folder).\(name).\(getpid()).partial"
    }

    /// Creates the folder `path` and its missing parents (as `mkdir -p`, mode 0755); a
    /// folder that exists is left as it is.
    /// - Throws: `SystemCallError` naming the first folder that could not be made (a file
    ///   in the way is `ENOTDIR`).
    public static func createFolders(_ path: String) throws(SystemCallError) {
        var folder = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            folder += component
            if mkdir(folder, 0o755) != 0, errno != EEXIST {
                throw SystemCallError(path: folder, operation: "creating the folder", code: errno)
            }
            folder += "/"
        }
        var status = stat()
        guard stat(path, &status) == 0 else { throw SystemCallError(path: path, operation: "creating the folder", code: errno) }
        guard status.st_mode & S_IFMT == S_IFDIR else {
            throw SystemCallError(path: path, operation: "creating the folder", code: ENOTDIR)
        }
    }

    /// Flushes the folder holding `path`, so that names created, renamed or removed in it
    /// are on disk.
    public static func flushFolder(of path: String) throws(SystemCallError) {
        let slash = path.lastIndex(of: "/")
        let folder = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        let directory = try open(folder, flags: O_RDONLY | O_DIRECTORY, operation: "opening the folder of", reportedAs: path)
        defer { try? directory.close() }
        try directory.flush(operation: "flushing the folder of")
    }
}

/// A system call on a file failed.
public struct SystemCallError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file.
    public let path: String
    /// What was being done, e.g. "write" or "flushing shard 3".
    public let operation: String
    /// `errno`.
    public let code: Int32

    public init(path: String, operation: String, code: Int32) {
        self.path = path
        self.operation = operation
        self.code = code
    }

    /// The system's words for `code`, e.g. "No space left on device".
    public var reason: String { String(cString: strerror(code)) }

    public var description: String { "\(path): \(operation) failed: \(reason)" }
}
