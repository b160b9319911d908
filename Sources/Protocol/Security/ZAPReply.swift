/// The ZAP handler's answer to a ``ZAPRequest`` (ZeroMQ RFC 27, version 1.0).
public struct ZAPReply: Sendable, Equatable {
    /// The outcome, sent as a three-digit code.
    public enum Status: String, Sendable, Hashable {
        /// `200`: the peer is admitted.
        case success = "200"
        /// `300`: temporary failure; the peer may retry.
        case temporaryFailure = "300"
        /// `400`: the credentials are refused. A CURVE client sees this as a
        /// `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH` event with value 400.
        case authenticationFailure = "400"
        /// `500`: the handler could not decide (e.g. a malformed request).
        case internalError = "500"
    }

    /// The request id being answered, echoed from ``ZAPRequest/requestID``.
    public let requestID: [UInt8]
    /// The outcome.
    public let status: Status
    /// Human-readable explanation; libzmq does not pass it to the peer.
    public let statusText: String
    /// The identity of an admitted peer; libzmq attaches it to the peer's
    /// messages as the `User-Id` property. Empty for refusals.
    public let userID: String
    /// The metadata frame, ZMTP-encoded properties libzmq attaches to the
    /// peer's messages; empty for none.
    public let metadata: [UInt8]

    /// Creates a reply.
    public init(requestID: [UInt8], status: Status, statusText: String, userID: String = "", metadata: [UInt8] = []) {
        self.requestID = requestID
        self.status = status
        self.statusText = statusText
        self.userID = userID
        self.metadata = metadata
    }

    /// The frames to send on the handler's `ZMQ_REP` socket: version `1.0`,
    /// request id, status code, status text, user id, metadata.
    public var frames: [[UInt8]] {
        [Array("1.0".utf8), requestID, Array(status.rawValue.utf8), Array(statusText.utf8), Array(userID.utf8), metadata]
    }
}
