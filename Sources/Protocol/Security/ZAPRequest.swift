/// An authentication request that libzmq sends to the ZAP handler
/// (ZeroMQ RFC 27, version 1.0) when a peer completes a security handshake
/// with a server socket of the same context.
///
/// As read from a `ZMQ_REP` socket (which strips the envelope), the frames are:
/// version (`1.0`), request id, domain, peer address, peer routing id,
/// mechanism (`NULL`, `PLAIN`, `CURVE` or `GSSAPI`), then the mechanism's
/// credentials — for CURVE, one frame with the client's 32-byte public key.
public struct ZAPRequest: Sendable, Equatable {
    /// The protocol version; always `1.0` once parsed.
    public let version: String
    /// Opaque bytes that the reply must echo.
    public let requestID: [UInt8]
    /// The server socket's `ZMQ_ZAP_DOMAIN`, often empty.
    public let domain: String
    /// The peer's address, e.g. `127.0.0.1` for TCP (no port).
    public let address: String
    /// The routing id the peer announced, often empty.
    public let routingID: [UInt8]
    /// The security mechanism, e.g. `CURVE`.
    public let mechanism: String
    /// The mechanism's credential frames, unparsed.
    public let credentials: [[UInt8]]
    /// For `CURVE`, the client's long-term public key as Z85 (converted from
    /// the 32-byte credential); nil for other mechanisms.
    public let curvePublicKey: String?

    /// Parses the frames of one request.
    /// - Throws: ``ZAPRequestError`` if the frames are not a ZAP 1.0 request,
    ///   or a `CURVE` request does not carry exactly one 32-byte key.
    public init(frames: [[UInt8]]) throws(ZAPRequestError) {
        guard frames.count >= 6 else { throw ZAPRequestError.tooFewFrames(count: frames.count) }
        version = try Self.text(frames[0], field: "version")
        guard version == "1.0" else { throw ZAPRequestError.unsupportedVersion(version) }
        requestID = frames[1]
        domain = try Self.text(frames[2], field: "domain")
        address = try Self.text(frames[3], field: "address")
        routingID = frames[4]
        mechanism = try Self.text(frames[5], field: "mechanism")
        credentials = Array(frames[6...])
        if mechanism == "CURVE" {
            guard credentials.count == 1 else {
                throw ZAPRequestError.invalidCredentials(
                    mechanism: mechanism, reason: "are \(credentials.count) frames, expected 1")
            }
            guard credentials[0].count == 32, let key = Z85.encode(credentials[0]) else {
                throw ZAPRequestError.invalidCredentials(
                    mechanism: mechanism, reason: "are a \(credentials[0].count)-byte key, expected 32 bytes")
            }
            curvePublicKey = key
        } else {
            curvePublicKey = nil
        }
    }

    /// `bytes` as a string, if they are valid UTF-8.
    private static func text(_ bytes: [UInt8], field: String) throws(ZAPRequestError) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        guard text.utf8.elementsEqual(bytes) else { throw ZAPRequestError.invalidText(field: field) }
        return text
    }
}
