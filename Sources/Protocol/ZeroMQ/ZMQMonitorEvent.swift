import CZeroMQ

/// One socket event published by `zmq_socket_monitor` (see
/// ``ZMQSocket/monitor(_:events:)`` and ``HandshakeMonitor``).
///
/// libzmq 4.x sends each event as two frames: 6 bytes holding the event code
/// (16 bits) and a value (32 bits), both in host byte order, then the affected
/// endpoint as text.
public struct ZMQMonitorEvent: Sendable, Equatable, CustomStringConvertible {
    /// The `ZMQ_EVENT_*` code, e.g. `ZMQ_EVENT_HANDSHAKE_FAILED_AUTH` (0x4000).
    public let code: UInt16
    /// The event's value: a file descriptor, an `errno`, a reconnect interval,
    /// a protocol error code, or — for an authentication failure — the ZAP
    /// status code the server answered (e.g. 400).
    public let value: UInt32
    /// The endpoint concerned, e.g. `tcp://127.0.0.1:5555`.
    public let endpoint: String

    /// Creates an event from its parts.
    public init(code: UInt16, value: UInt32, endpoint: String) {
        self.code = code
        self.value = value
        self.endpoint = endpoint
    }

    /// Decodes the two frames of one event; nil if they do not have that layout.
    public init?(frames: [[UInt8]]) {
        guard frames.count == 2, frames[0].count == 6 else { return nil }
        let header = frames[0]
        code = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 0, as: UInt16.self) }
        value = header.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: 2, as: UInt32.self) }
        endpoint = String(decoding: frames[1], as: UTF8.self)
    }

    /// The server refused this socket's credentials
    /// (`ZMQ_EVENT_HANDSHAKE_FAILED_AUTH`); ``value`` is the ZAP status code,
    /// 400 for an unknown CURVE key.
    public var isAuthenticationFailure: Bool { Int32(code) == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH }

    /// The security handshake completed (`ZMQ_EVENT_HANDSHAKE_SUCCEEDED`).
    public var isHandshakeSucceeded: Bool { Int32(code) == ZMQ_EVENT_HANDSHAKE_SUCCEEDED }

    /// The event's C name without the `ZMQ_EVENT_` prefix, e.g.
    /// `HANDSHAKE_FAILED_AUTH`, or the code in hex for events this build does
    /// not know.
    public var name: String {
        switch Int32(code) {
        case ZMQ_EVENT_CONNECTED: "CONNECTED"
        case ZMQ_EVENT_CONNECT_DELAYED: "CONNECT_DELAYED"
        case ZMQ_EVENT_CONNECT_RETRIED: "CONNECT_RETRIED"
        case ZMQ_EVENT_LISTENING: "LISTENING"
        case ZMQ_EVENT_BIND_FAILED: "BIND_FAILED"
        case ZMQ_EVENT_ACCEPTED: "ACCEPTED"
        case ZMQ_EVENT_ACCEPT_FAILED: "ACCEPT_FAILED"
        case ZMQ_EVENT_CLOSED: "CLOSED"
        case ZMQ_EVENT_CLOSE_FAILED: "CLOSE_FAILED"
        case ZMQ_EVENT_DISCONNECTED: "DISCONNECTED"
        case ZMQ_EVENT_MONITOR_STOPPED: "MONITOR_STOPPED"
        case ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL: "HANDSHAKE_FAILED_NO_DETAIL"
        case ZMQ_EVENT_HANDSHAKE_SUCCEEDED: "HANDSHAKE_SUCCEEDED"
        case ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL: "HANDSHAKE_FAILED_PROTOCOL"
        case ZMQ_EVENT_HANDSHAKE_FAILED_AUTH: "HANDSHAKE_FAILED_AUTH"
        default: "event 0x" + String(code, radix: 16)
        }
    }

    /// `NAME (value V) on ENDPOINT`, on one line.
    public var description: String { "\(name) (value \(value)) on \(endpoint)" }
}
