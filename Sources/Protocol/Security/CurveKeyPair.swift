import CZeroMQ

/// A long-term CURVE key pair (Curve25519), both halves as 40-character Z85
/// text, the form libzmq's `ZMQ_CURVE_*KEY` options, key files and command
/// lines use.
///
/// The public key identifies a node and may be shared freely; the secret key
/// lets its holder act as that node. ``description`` shows only the public
/// key, so logging a key pair does not leak the secret.
public struct CurveKeyPair: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible {
    /// The public key, 40 Z85 characters.
    public let publicKey: String
    /// The secret key, 40 Z85 characters. Keep it out of logs and messages.
    public let secretKey: String

    /// Whether the linked libzmq supports CURVE (`zmq_has("curve")`), i.e. was
    /// built with libsodium or its bundled TweetNaCl.
    public static var isAvailable: Bool { zmq_has("curve") != 0 }

    /// A fresh random key pair (`zmq_curve_keypair`).
    /// - Throws: ``CurveKeyError/curveUnavailable`` without CURVE support,
    ///   ``ZMQError`` if libzmq fails otherwise.
    public static func generate() throws -> CurveKeyPair {
        guard isAvailable else { throw CurveKeyError.curveUnavailable }
        var publicKey = [CChar](repeating: 0, count: Z85.keyLength + 1)
        var secretKey = [CChar](repeating: 0, count: Z85.keyLength + 1)
        guard zmq_curve_keypair(&publicKey, &secretKey) == 0 else {
            throw ZMQError.current("zmq_curve_keypair")
        }
        return CurveKeyPair(
            checkedPublicKey: Z85.string(fromCString: publicKey), secretKey: Z85.string(fromCString: secretKey))
    }

    /// The key pair whose secret half is `secretKey`, deriving the public half
    /// (`zmq_curve_public`).
    /// - Throws: ``CurveKeyError/invalidKey(subject:reason:)`` if `secretKey` is
    ///   not a Z85 key, ``CurveKeyError/curveUnavailable`` without CURVE support,
    ///   ``ZMQError`` if libzmq fails otherwise.
    public init(secretKey: String) throws {
        if let problem = Z85.problem(withKey: secretKey) {
            throw CurveKeyError.invalidKey(subject: "the secret key", reason: problem)
        }
        guard Self.isAvailable else { throw CurveKeyError.curveUnavailable }
        var publicKey = [CChar](repeating: 0, count: Z85.keyLength + 1)
        guard zmq_curve_public(&publicKey, secretKey) == 0 else {
            throw ZMQError.current("zmq_curve_public")
        }
        self.init(checkedPublicKey: Z85.string(fromCString: publicKey), secretKey: secretKey)
    }

    /// Pairs two keys already known to be valid and to belong together.
    private init(checkedPublicKey: String, secretKey: String) {
        self.publicKey = checkedPublicKey
        self.secretKey = secretKey
    }

    /// Whether `text` is a Z85-encoded CURVE key: exactly 40 characters of the
    /// Z85 alphabet (RFC 32), each group of 5 encoding a 32-bit value.
    public static func isValidZ85Key(_ text: String) -> Bool {
        Z85.problem(withKey: text) == nil
    }

    /// `CURVE key pair (public <key>)`; never the secret key.
    public var description: String { "CURVE key pair (public \(publicKey))" }

    /// Same as ``description``, so that `debugPrint` and test failure messages
    /// do not reveal the secret key either.
    public var debugDescription: String { description }
}
