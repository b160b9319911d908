#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Why a CURVE key, key-pair file or authorized-keys file could not be used,
/// on one line that names the file and line to fix.
public enum CurveKeyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The linked libzmq was built without CURVE (libsodium), so keys can be
    /// neither generated nor used.
    case curveUnavailable
    /// `subject` (e.g. `secret key`, or the text the user passed) is not a
    /// usable key; `reason` completes the sentence.
    case invalidKey(subject: String, reason: String)
    /// Line `line` (1-based) of `path` cannot be used; `reason` says why.
    case invalidLine(path: String, line: Int, reason: String)
    /// `path` has no line for `entry` (e.g. `secret-key`).
    case missingEntry(path: String, entry: String)
    /// The authorized-keys file at `path` lists no key.
    case noAuthorizedKeys(path: String)
    /// `path` exists and overwriting was not asked for.
    case fileExists(path: String)
    /// A system call on `path` failed with `errno` `code`.
    case fileSystem(path: String, operation: String, code: Int32)

    /// The problem on one line, e.g. `keys/authorized:3: "abc" is not a Z85 public key: …`.
    public var description: String {
        switch self {
        case .curveUnavailable:
            "this libzmq was built without CURVE support (libsodium); CURVE keys can be neither generated nor used"
        case let .invalidKey(subject, reason):
            "\(subject) \(reason)"
        case let .invalidLine(path, line, reason):
            "\(path):\(line): \(reason)"
        case let .missingEntry(path, entry):
            "\(path): no \(entry) line"
        case let .noAuthorizedKeys(path):
            "\(path): no authorized keys; a CURVE server that admits nobody is a mistake, "
                + "so list at least one worker public key (one Z85 key per line)"
        case let .fileExists(path):
            "\(path) already exists; refusing to overwrite it"
        case let .fileSystem(path, operation, code):
            "\(operation) \(path) failed: \(String(cString: strerror(code))) (errno \(code))"
        }
    }
}
