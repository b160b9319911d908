/// Why frames received on the ZAP endpoint are not a ZAP 1.0 request
/// (ZeroMQ RFC 27); the handler answers such a request with status 500.
public enum ZAPRequestError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Fewer than the 6 frames every request has (version, request id,
    /// domain, address, routing id, mechanism).
    case tooFewFrames(count: Int)
    /// The version frame is not `1.0`.
    case unsupportedVersion(String)
    /// The text frame `field` is not valid UTF-8.
    case invalidText(field: String)
    /// The credential frames do not fit `mechanism`.
    case invalidCredentials(mechanism: String, reason: String)

    /// The problem on one line.
    public var description: String {
        switch self {
        case let .tooFewFrames(count):
            "malformed ZAP request: \(count) frames, expected at least 6"
        case let .unsupportedVersion(version):
            "malformed ZAP request: version \"\(version)\", expected \"1.0\""
        case let .invalidText(field):
            "malformed ZAP request: \(field) is not valid UTF-8"
        case let .invalidCredentials(mechanism, reason):
            "malformed ZAP request: \(mechanism) credentials \(reason)"
        }
    }
}
