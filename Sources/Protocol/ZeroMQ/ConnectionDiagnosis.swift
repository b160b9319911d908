import CZeroMQ

/// What a client socket's monitor events (``HandshakeMonitor``) say about a coordinator
/// that does not answer. libzmq retries quietly in every case, so without this a worker
/// or `calib status` can only say "no answer"; the events tell apart nothing accepting
/// connections there, a peer using the other security mechanism (CURVE on one side
/// only), a refused key, and a handshake that never completes (a CURVE client with
/// another server's public key: the server cannot open its hello and hangs up).
public struct ConnectionDiagnosis: Sendable, Equatable {
    private var connected = false
    private var handshakeSucceeded = false
    private var closedInHandshake = false
    /// Whether the peer uses the other security mechanism (CURVE on one side only): no
    /// retry changes that.
    public private(set) var isSecurityMismatch = false
    /// The ZAP status of a refused key (400 for a key not in the authorized keys), once
    /// the peer refused one.
    public private(set) var refusedWith: UInt32?

    public init() {}

    /// Whether the peer hung up in the security handshake and no handshake succeeded: a
    /// CURVE server that cannot open this client's hello (another server key) does so at
    /// every attempt.
    public var hungUpInHandshake: Bool { closedInHandshake && !handshakeSucceeded }

    /// Takes in events, oldest first.
    public mutating func record(_ events: [ZMQMonitorEvent]) {
        for event in events {
            switch Int32(event.code) {
            case ZMQ_EVENT_CONNECTED: connected = true
            case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: handshakeSucceeded = true
            case ZMQ_EVENT_DISCONNECTED where !handshakeSucceeded: closedInHandshake = true
            case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL where event.value == UInt32(ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH):
                isSecurityMismatch = true
            case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: refusedWith = event.value
            default: break
            }
        }
    }

    /// Why the peer has not answered, as far as the events tell, in words for the user.
    public var explanation: String {
        if let refusedWith {
            return "it refused this key (CURVE authentication failed, ZAP status \(refusedWith))"
        }
        if isSecurityMismatch {
            return "it uses the other security mechanism: a coordinator with CURVE needs --secret-key and --server-key, "
                + "one without takes neither"
        }
        if handshakeSucceeded { return "connected, but it did not answer" }
        if closedInHandshake {
            return "it hung up during the security handshake: is --server-key that coordinator's public key?"
        }
        if connected { return "connected, but the handshake has not completed" }
        return "nothing accepted a connection there: is it running, is the address right?"
    }

    /// `explanation`, except that when nothing connected to `endpoint` and its host name
    /// does not resolve, it says so.
    public func explanation(connectingTo endpoint: String) -> String {
        guard !connected, let failure = ZMQEndpoint(endpoint).hostResolutionFailure() else { return explanation }
        return "its host name '\(ZMQEndpoint(endpoint).host)' does not resolve (\(failure))"
    }
}
