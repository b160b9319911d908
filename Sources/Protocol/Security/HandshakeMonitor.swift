import CZeroMQ

/// Watches a client socket's connection and security-handshake events, so
/// that a CURVE client can tell "the server refused my key" (which libzmq
/// otherwise reports to nobody: the client just retries and never receives
/// anything) from "the server is not there yet".
///
/// The monitor attaches `zmq_socket_monitor` to the socket on an `inproc://`
/// endpoint unique to this monitor and owns the `ZMQ_PAIR` socket that reads
/// the events. Create it right after the socket and before `connect`, or the
/// first events are lost.
///
/// The monitor keeps the monitored socket alive and, when released, stops the
/// monitoring (`zmq_socket_monitor` with no endpoint) before closing its
/// reader: with libzmq 4.3.4, closing the reader while the socket still
/// publishes to it stalls the socket's later handshakes. Like ``ZMQSocket``,
/// use it — and release it — on the thread that uses the monitored socket, or
/// after that socket is closed.
public final class HandshakeMonitor: @unchecked Sendable {
    /// The `inproc://` endpoint the events are published on.
    public let endpoint: String
    /// The reading end, connected to ``endpoint``; never blocks.
    private let reader: ZMQSocket
    /// The monitored socket, whose monitoring `deinit` stops.
    private let socket: ZMQSocket

    /// Starts monitoring all events of `socket`.
    /// - Throws: ``ZMQError`` (e.g. `ENOTSOCK` if `socket` is closed, `ETERM`
    ///   after its context was shut down).
    public init(socket: ZMQSocket) throws {
        self.socket = socket
        endpoint = "inproc://calib.handshake-monitor.\(UInt64.random(in: .min ... .max))"
        try socket.monitor(endpoint, events: ZMQ_EVENT_ALL)
        reader = try ZMQSocket(context: socket.context, kind: .pair)
        try reader.setOption(.receiveTimeout, 0)
        try reader.connect(endpoint)
    }

    deinit {
        // Fails only with ENOTSOCK once the socket is closed, which ended the monitoring anyway.
        try? socket.stopMonitor()
        reader.close()
    }

    /// Every event published since the previous call, oldest first, without
    /// waiting. Messages that are not monitor events are skipped.
    /// - Throws: ``ZMQError`` — notably `ETERM` after ``ZMQContext/shutdown()``.
    public func events() throws -> [ZMQMonitorEvent] {
        var drained: [ZMQMonitorEvent] = []
        while let frames = try reader.receive() {
            if let event = ZMQMonitorEvent(frames: frames) {
                drained.append(event)
            }
        }
        return drained
    }
}
