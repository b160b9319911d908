/// The CURVE public keys a server admits, read from an authorized-keys file.
///
/// The format is one Z85 public key per line, optionally followed by
/// whitespace and a name (kept for log lines, e.g. the worker's host):
///
/// ```
/// # workers of the nightly calibration
/// <40 Z85 characters> gpu-node-1
/// <40 Z85 characters> gpu-node-2 (spare)
/// ```
///
/// A `.pub` file written by `calib keygen` is one such line. Blank lines and
/// lines starting with `#` are ignored. A line whose first word is not a key,
/// or a key listed twice, is an error naming the file and line; a file listing
/// no key at all is an error too, because a CURVE server that admits nobody is
/// certainly a mistake.
public struct AuthorizedKeys: Sendable, Equatable {
    /// The admitted public keys, Z85.
    public let keys: Set<String>
    /// The name written after each key that has one.
    private let names: [String: String]

    /// Parses an authorized-keys file's text; `path` is only used in error messages.
    /// - Throws: ``CurveKeyError/invalidLine(path:line:reason:)`` or
    ///   ``CurveKeyError/noAuthorizedKeys(path:)``.
    public static func parse(_ text: String, path: String) throws -> AuthorizedKeys {
        var firstLine: [String: Int] = [:]
        var names: [String: String] = [:]
        for line in KeyFileLine.lines(of: text) {
            let key = String(line.word)
            if line.word == CurveKeyFile.publicKeyEntry || line.word == CurveKeyFile.secretKeyEntry {
                throw CurveKeyError.invalidLine(
                    path: path, line: line.number,
                    reason: "this is a key-pair file line; list bare public keys (the line of a .pub file)")
            }
            if let problem = Z85.problem(withKey: key) {
                throw CurveKeyError.invalidLine(
                    path: path, line: line.number, reason: "\"\(key)\" is not a Z85 public key: it \(problem)")
            }
            if let first = firstLine[key] {
                throw CurveKeyError.invalidLine(
                    path: path, line: line.number, reason: "this key is already listed on line \(first)")
            }
            firstLine[key] = line.number
            if let name = line.rest {
                names[key] = String(name)
            }
        }
        guard !firstLine.isEmpty else { throw CurveKeyError.noAuthorizedKeys(path: path) }
        return AuthorizedKeys(keys: Set(firstLine.keys), names: names)
    }

    /// Reads and parses the authorized-keys file at `path`.
    /// - Throws: ``CurveKeyError``.
    public static func read(path: String) throws -> AuthorizedKeys {
        try parse(TextFile.load(path: path), path: path)
    }

    /// Whether `key` (Z85) is admitted.
    public func contains(_ key: String) -> Bool {
        keys.contains(key)
    }

    /// The name written after `key` in the file, or nil if it has none or is
    /// not listed.
    public func name(of key: String) -> String? {
        names[key]
    }
}
