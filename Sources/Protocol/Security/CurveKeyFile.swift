#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The text files that hold CURVE keys: a node's key-pair file and the `.pub`
/// file with its public key alone.
///
/// A key-pair file (written with permission 0600) looks like this:
///
/// ```
/// # calib CURVE key pair. Keep this file private: ...
/// public-key <40 Z85 characters>
/// secret-key <40 Z85 characters>
/// ```
///
/// The `secret-key` line is required; the `public-key` line is optional (it is
/// derived from the secret key) but must match when present. Blank lines and
/// lines starting with `#` are ignored, each entry may appear once, and
/// anything else is an error naming the file and line.
///
/// A `.pub` file holds one line: a Z85 public key, optionally followed by
/// whitespace and a name. That line is exactly what goes into the server's
/// authorized-keys file (see ``AuthorizedKeys``).
public enum CurveKeyFile {
    /// The entry holding the public key.
    static let publicKeyEntry = "public-key"
    /// The entry holding the secret key.
    static let secretKeyEntry = "secret-key"

    /// Parses a key-pair file's text; `path` is only used in error messages.
    /// - Throws: ``CurveKeyError`` naming `path` and the offending line, or
    ///   ``CurveKeyError/curveUnavailable`` (the public key is derived to check it).
    public static func parse(_ text: String, path: String) throws -> CurveKeyPair {
        var keys: [String: (key: String, line: Int)] = [:]
        for line in KeyFileLine.lines(of: text) {
            let entry = String(line.word)
            guard entry == publicKeyEntry || entry == secretKeyEntry else {
                if Z85.problem(withKey: entry) == nil {
                    throw CurveKeyError.invalidLine(
                        path: path, line: line.number,
                        reason: "a key alone, as in a .pub file; a key-pair file (the one keygen wrote without .pub) has \(secretKeyEntry) <key>")
                }
                // A binary file's bytes stay out of the terminal.
                let shown = entry.prefix(40).unicodeScalars.map { (0x20..<0x7f).contains($0.value) ? String($0) : $0.escaped(asASCII: true) }
                throw CurveKeyError.invalidLine(
                    path: path, line: line.number,
                    reason: "unknown entry \"\(shown.joined())\"; expected \(publicKeyEntry) or \(secretKeyEntry)")
            }
            if let first = keys[entry] {
                throw CurveKeyError.invalidLine(
                    path: path, line: line.number, reason: "\(entry) appears again (first on line \(first.line))")
            }
            guard let value = line.rest, !value.contains(where: \.isWhitespace) else {
                throw CurveKeyError.invalidLine(
                    path: path, line: line.number, reason: "expected \"\(entry) <40 Z85 characters>\"")
            }
            let key = String(value)
            if let problem = Z85.problem(withKey: key) {
                throw CurveKeyError.invalidLine(path: path, line: line.number, reason: "\(entry) \(problem)")
            }
            keys[entry] = (key, line.number)
        }
        guard let secret = keys[secretKeyEntry] else {
            throw CurveKeyError.missingEntry(path: path, entry: secretKeyEntry)
        }
        let pair = try CurveKeyPair(secretKey: secret.key)
        if let stated = keys[publicKeyEntry], stated.key != pair.publicKey {
            throw CurveKeyError.invalidLine(
                path: path, line: stated.line,
                reason: "\(publicKeyEntry) does not belong to the \(secretKeyEntry) on line \(secret.line)")
        }
        return pair
    }

    /// The key-pair file text for `pair`: a comment, then both entries.
    public static func render(_ pair: CurveKeyPair) -> String {
        """
        # calib CURVE key pair. Keep this file private: whoever has the secret key
        # can act as this node. Share only the public key (the .pub file).
        \(publicKeyEntry) \(pair.publicKey)
        \(secretKeyEntry) \(pair.secretKey)

        """
    }

    /// Reads and parses the key-pair file at `path`.
    /// - Throws: ``CurveKeyError``.
    public static func read(path: String) throws -> CurveKeyPair {
        try parse(TextFile.load(path: path), path: path)
    }

    /// Writes `pair` to `path` atomically with permission 0600.
    /// - Parameter overwrite: replace an existing file; by default an existing
    ///   file is left alone and ``CurveKeyError/fileExists(path:)`` is thrown,
    ///   so a key cannot be lost by accident.
    /// - Throws: ``CurveKeyError``.
    public static func write(_ pair: CurveKeyPair, to path: String, overwrite: Bool = false) throws {
        try TextFile.save(render(pair), to: path, permissions: 0o600, overwrite: overwrite)
    }

    /// The `.pub` file text: the public key and, if given, a name after it.
    /// Whitespace runs in `name` (line breaks included) become single spaces,
    /// so the result is always one line.
    public static func renderPublicKey(_ publicKey: String, name: String? = nil) -> String {
        let words = name?.split(whereSeparator: \.isWhitespace) ?? []
        return words.isEmpty ? "\(publicKey)\n" : "\(publicKey) \(words.joined(separator: " "))\n"
    }

    /// Writes a `.pub` file (see ``renderPublicKey(_:name:)``) to `path`
    /// atomically with permission 0644 (less if the umask says so).
    /// - Throws: ``CurveKeyError/invalidKey(subject:reason:)`` if `publicKey` is
    ///   not a Z85 key; otherwise as ``write(_:to:overwrite:)``.
    public static func writePublicKey(_ publicKey: String, name: String? = nil, to path: String, overwrite: Bool = false) throws {
        if let problem = Z85.problem(withKey: publicKey) {
            throw CurveKeyError.invalidKey(subject: "the public key", reason: problem)
        }
        try TextFile.save(renderPublicKey(publicKey, name: name), to: path, permissions: 0o644, overwrite: overwrite)
    }

    /// Parses a `.pub` file's text: exactly one meaningful line whose first
    /// word is a Z85 public key (a name after it is ignored). `path` is only
    /// used in error messages.
    /// - Throws: ``CurveKeyError``; a key-pair file is refused with a hint to
    ///   pass its `.pub` file, since it contains a secret key.
    public static func parsePublicKey(_ text: String, path: String) throws -> String {
        let lines = KeyFileLine.lines(of: text)
        guard let line = lines.first else { throw CurveKeyError.missingEntry(path: path, entry: "public key") }
        if line.word == publicKeyEntry || line.word == secretKeyEntry {
            throw CurveKeyError.invalidLine(
                path: path, line: line.number,
                reason: "this is a key-pair file, which contains a secret key; give its .pub file instead")
        }
        if let problem = Z85.problem(withKey: String(line.word)) {
            throw CurveKeyError.invalidLine(path: path, line: line.number, reason: "the public key \(problem)")
        }
        if lines.count > 1 {
            throw CurveKeyError.invalidLine(
                path: path, line: lines[1].number,
                reason: "a .pub file holds one public key, but line \(line.number) already had one")
        }
        return String(line.word)
    }

    /// A public key given on a command line: either literal Z85 text or the
    /// path of a `.pub` file (see ``parsePublicKey(_:path:)``).
    /// - Throws: ``CurveKeyError``; when `fileOrText` is neither a key nor a
    ///   readable file, the message says what is wrong with it as both.
    public static func publicKey(fromFileOrText fileOrText: String) throws -> String {
        guard let keyProblem = Z85.problem(withKey: fileOrText) else { return fileOrText }
        let text: String
        do {
            text = try TextFile.load(path: fileOrText)
        } catch let CurveKeyError.fileSystem(_, _, code) {
            throw CurveKeyError.invalidKey(
                subject: "\"\(fileOrText)\"",
                reason: "is neither a Z85 public key (it \(keyProblem)) nor a readable file (\(String(cString: strerror(code))))")
        }
        return try parsePublicKey(text, path: fileOrText)
    }
}
