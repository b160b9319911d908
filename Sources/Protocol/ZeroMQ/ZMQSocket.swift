import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns one libzmq socket and exposes the handful of operations the calibration
/// protocol needs (bind/connect, options, multipart send/receive, poll, event
/// monitoring) with Swift errors instead of `-1`/`errno`.
///
/// The socket retains its ``ZMQContext`` so the context cannot be terminated
/// while the socket is open. It is closed by ``close()`` or at the latest by
/// `deinit`; `ZMQ_LINGER` is 0 by default so closing discards unsent messages
/// instead of hanging.
///
/// libzmq sockets are not thread-safe. The type is `Sendable` so that a socket
/// can be created on one thread and handed to another that then uses it
/// exclusively; never call into the same socket from two threads at once. The
/// one cross-thread operation that is allowed is ``ZMQContext/shutdown()`` on
/// its context, which interrupts a blocked call.
public final class ZMQSocket: @unchecked Sendable {
    /// The libzmq socket types this wrapper can create.
    public enum Kind: Sendable, Hashable, CaseIterable {
        /// `ZMQ_PAIR`: exclusive one-to-one connection.
        case pair
        /// `ZMQ_PUB`: fan-out publisher.
        case pub
        /// `ZMQ_SUB`: subscriber.
        case sub
        /// `ZMQ_REQ`: strict request/reply client.
        case req
        /// `ZMQ_REP`: strict request/reply server.
        case rep
        /// `ZMQ_DEALER`: asynchronous client; used by workers.
        case dealer
        /// `ZMQ_ROUTER`: asynchronous server that prefixes each message with the
        /// sender's routing id; used by the coordinator.
        case router
        /// `ZMQ_PULL`: pipeline sink.
        case pull
        /// `ZMQ_PUSH`: pipeline source.
        case push
        /// `ZMQ_STREAM`: raw TCP without ZMTP framing. Each message is a routing
        /// id frame followed by the bytes received from (or to send to) that
        /// connection; an empty data frame signals a connect or disconnect.
        case stream

        /// The `ZMQ_*` socket type constant passed to `zmq_socket`.
        public var cValue: Int32 {
            switch self {
            case .pair: ZMQ_PAIR
            case .pub: ZMQ_PUB
            case .sub: ZMQ_SUB
            case .req: ZMQ_REQ
            case .rep: ZMQ_REP
            case .dealer: ZMQ_DEALER
            case .router: ZMQ_ROUTER
            case .pull: ZMQ_PULL
            case .push: ZMQ_PUSH
            case .stream: ZMQ_STREAM
            }
        }
    }

    /// An integer-valued socket option together with the C type libzmq expects
    /// (`int` or `int64_t`); passing the wrong width makes libzmq reject it.
    public struct IntegerOption: Sendable, Hashable, CustomStringConvertible {
        /// The `ZMQ_*` option constant.
        public let code: Int32
        /// Whether libzmq stores this option as `int64_t` rather than `int`.
        public let is64Bit: Bool
        /// The C name, for error messages.
        public let name: String

        /// Describes an option not predefined below.
        public init(code: Int32, is64Bit: Bool = false, name: String) {
            self.code = code
            self.is64Bit = is64Bit
            self.name = name
        }

        /// The C name, e.g. `ZMQ_RCVTIMEO`.
        public var description: String { name }

        /// `ZMQ_LINGER` (ms): how long `close` keeps unsent messages; -1 forever, 0 discard.
        public static let linger = IntegerOption(code: ZMQ_LINGER, name: "ZMQ_LINGER")
        /// `ZMQ_IPV6` (0/1): allow IPv6 addresses (needed for `tcp://[::1]:5555`).
        public static let ipv6 = IntegerOption(code: ZMQ_IPV6, name: "ZMQ_IPV6")
        /// `ZMQ_RCVTIMEO` (ms): receive timeout; -1 blocks forever, 0 never blocks.
        public static let receiveTimeout = IntegerOption(code: ZMQ_RCVTIMEO, name: "ZMQ_RCVTIMEO")
        /// `ZMQ_SNDTIMEO` (ms): send timeout; -1 blocks forever, 0 never blocks.
        public static let sendTimeout = IntegerOption(code: ZMQ_SNDTIMEO, name: "ZMQ_SNDTIMEO")
        /// `ZMQ_MAXMSGSIZE` (bytes, `int64_t`): a peer sending a larger frame is
        /// disconnected; -1 means no limit.
        public static let maxMessageSize = IntegerOption(code: ZMQ_MAXMSGSIZE, is64Bit: true, name: "ZMQ_MAXMSGSIZE")
        /// `ZMQ_ROUTER_MANDATORY` (0/1): a ROUTER fails with `EHOSTUNREACH`
        /// instead of silently dropping messages to unknown peers.
        public static let routerMandatory = IntegerOption(code: ZMQ_ROUTER_MANDATORY, name: "ZMQ_ROUTER_MANDATORY")
        /// `ZMQ_HEARTBEAT_IVL` (ms): send a ZMTP PING this often; 0 disables.
        public static let heartbeatInterval = IntegerOption(code: ZMQ_HEARTBEAT_IVL, name: "ZMQ_HEARTBEAT_IVL")
        /// `ZMQ_HEARTBEAT_TTL` (ms, rounded to 100 ms): tells the peer to drop
        /// us if it hears nothing for this long.
        public static let heartbeatTTL = IntegerOption(code: ZMQ_HEARTBEAT_TTL, name: "ZMQ_HEARTBEAT_TTL")
        /// `ZMQ_HEARTBEAT_TIMEOUT` (ms): drop the connection if no reply to a PING
        /// arrives within this time.
        public static let heartbeatTimeout = IntegerOption(code: ZMQ_HEARTBEAT_TIMEOUT, name: "ZMQ_HEARTBEAT_TIMEOUT")
        /// `ZMQ_RECONNECT_IVL` (ms): delay before reconnecting; -1 disables reconnection.
        public static let reconnectInterval = IntegerOption(code: ZMQ_RECONNECT_IVL, name: "ZMQ_RECONNECT_IVL")
        /// `ZMQ_BACKLOG` (connections): pending TCP connections a bound socket queues
        /// (the kernel caps it at `net.core.somaxconn`); set before `bind`. Connections past
        /// it are dropped and retried by the peer's TCP a second or more later.
        public static let backlog = IntegerOption(code: ZMQ_BACKLOG, name: "ZMQ_BACKLOG")
        /// `ZMQ_SNDHWM` (messages): outbound queue limit per peer; 0 unlimited.
        public static let sendHighWaterMark = IntegerOption(code: ZMQ_SNDHWM, name: "ZMQ_SNDHWM")
        /// `ZMQ_RCVHWM` (messages): inbound queue limit per peer; 0 unlimited.
        public static let receiveHighWaterMark = IntegerOption(code: ZMQ_RCVHWM, name: "ZMQ_RCVHWM")
        /// `ZMQ_IMMEDIATE` (0/1): queue messages only to completed connections.
        public static let immediate = IntegerOption(code: ZMQ_IMMEDIATE, name: "ZMQ_IMMEDIATE")
        /// `ZMQ_CURVE_SERVER` (0/1): act as the CURVE server; requires
        /// ``BytesOption/curveSecretKey``. Set before `bind`. Without a ZAP handler
        /// in the same context (see ``ZAPHandler``) the server encrypts but
        /// admits every client.
        public static let curveServer = IntegerOption(code: ZMQ_CURVE_SERVER, name: "ZMQ_CURVE_SERVER")
    }

    /// A byte-string socket option.
    public struct BytesOption: Sendable, Hashable, CustomStringConvertible {
        /// The `ZMQ_*` option constant.
        public let code: Int32
        /// The C name, for error messages.
        public let name: String

        /// Describes an option not predefined below.
        public init(code: Int32, name: String) {
            self.code = code
            self.name = name
        }

        /// The C name, e.g. `ZMQ_ROUTING_ID`.
        public var description: String { name }

        /// `ZMQ_ROUTING_ID` (formerly `ZMQ_IDENTITY`): 1–255 bytes, not starting
        /// with a zero byte, that a ROUTER peer sees as this socket's first frame.
        /// Must be set before `connect`.
        public static let routingID = BytesOption(code: ZMQ_ROUTING_ID, name: "ZMQ_ROUTING_ID")
        /// `ZMQ_CURVE_PUBLICKEY`: this socket's long-term CURVE public key, as the
        /// 40-byte Z85 text (or 32 raw bytes). Needed by CURVE clients; set before
        /// `connect`. Write-only here: reading it back with `option(_:)` fails with
        /// `EINVAL`, because libzmq only returns keys into 32- or 41-byte buffers.
        public static let curvePublicKey = BytesOption(code: ZMQ_CURVE_PUBLICKEY, name: "ZMQ_CURVE_PUBLICKEY")
        /// `ZMQ_CURVE_SECRETKEY`: this socket's long-term CURVE secret key, as the
        /// 40-byte Z85 text (or 32 raw bytes). Needed by clients and servers; set
        /// before `bind`/`connect`. Write-only here, like ``curvePublicKey``.
        public static let curveSecretKey = BytesOption(code: ZMQ_CURVE_SECRETKEY, name: "ZMQ_CURVE_SECRETKEY")
        /// `ZMQ_CURVE_SERVERKEY`: the server's CURVE public key (40-byte Z85 text or
        /// 32 raw bytes). Setting it makes this socket a CURVE client; set before
        /// `connect`. Write-only here, like ``curvePublicKey``.
        public static let curveServerKey = BytesOption(code: ZMQ_CURVE_SERVERKEY, name: "ZMQ_CURVE_SERVERKEY")
        /// `ZMQ_ZAP_DOMAIN`: the domain passed to the ZAP handler with each
        /// authentication request from this (server) socket. Set before `bind`.
        public static let zapDomain = BytesOption(code: ZMQ_ZAP_DOMAIN, name: "ZMQ_ZAP_DOMAIN")
    }

    /// The context this socket belongs to; retained so that it outlives the socket.
    public let context: ZMQContext
    /// The socket type given at creation.
    public let kind: Kind
    /// The `void *` from `zmq_socket`, or nil once closed.
    private var handle: UnsafeMutableRawPointer?

    /// Creates a socket of `kind` in `context` with `ZMQ_LINGER` set to 0.
    /// - Throws: ``ZMQError`` (e.g. `ETERM` after the context was shut down).
    public init(context: ZMQContext, kind: Kind) throws {
        guard let handle = zmq_socket(context.handle, kind.cValue) else {
            throw ZMQError.current("zmq_socket(\(kind))")
        }
        self.context = context
        self.kind = kind
        self.handle = handle
        do {
            try setOption(.linger, 0)
        } catch {
            close()
            throw error
        }
    }

    deinit {
        close()
    }

    /// Whether ``close()`` has been called.
    public var isClosed: Bool { handle == nil }

    /// Closes the socket, discarding unsent messages unless `ZMQ_LINGER` was
    /// raised. Calling it again does nothing; later operations throw `ENOTSOCK`.
    public func close() {
        guard let handle else { return }
        self.handle = nil
        _ = zmq_close(handle)
    }

    /// Accepts connections on `endpoint`, e.g. `tcp://0.0.0.0:5555` or
    /// `tcp://127.0.0.1:*` for an ephemeral port (then read ``lastEndpoint``).
    /// - Throws: ``ZMQError`` naming the endpoint (bad syntax, address in use, …).
    public func bind(_ endpoint: String) throws {
        let operation = "bind(\"\(endpoint)\")"
        let socket = try open(operation)
        try enableIPv6(for: endpoint)
        guard zmq_bind(socket, endpoint) == 0 else {
            throw ZMQError.current(operation)
        }
    }

    /// Starts connecting to `endpoint`, e.g. `tcp://coordinator:5555`. The
    /// connection is made (and remade after failures) in the background, so
    /// this only fails for malformed or unsupported endpoints.
    /// - Throws: ``ZMQError`` naming the endpoint.
    public func connect(_ endpoint: String) throws {
        let operation = "connect(\"\(endpoint)\")"
        let socket = try open(operation)
        try enableIPv6(for: endpoint)
        guard zmq_connect(socket, endpoint) == 0 else {
            throw ZMQError.current(operation)
        }
    }

    /// Turns `ZMQ_IPV6` on for an endpoint with an IPv6 literal, which libzmq refuses otherwise.
    private func enableIPv6(for endpoint: String) throws {
        if ZMQEndpoint(endpoint).isIPv6 { try setOption(.ipv6, 1) }
    }

    /// The endpoint most recently bound or connected (`ZMQ_LAST_ENDPOINT`), with
    /// any wildcard port resolved, e.g. `tcp://127.0.0.1:41235`.
    public var lastEndpoint: String {
        get throws {
            let operation = "getsockopt(ZMQ_LAST_ENDPOINT)"
            let socket = try open(operation)
            var buffer = [CChar](repeating: 0, count: 1024)
            var size = buffer.count
            guard zmq_getsockopt(socket, ZMQ_LAST_ENDPOINT, &buffer, &size) == 0 else {
                throw ZMQError.current(operation)
            }
            // The value is NUL-terminated and `size` counts the terminator.
            let bytes = buffer.prefix(max(0, size - 1)).map { UInt8(bitPattern: $0) }
            return String(decoding: bytes, as: UTF8.self)
        }
    }

    /// Sets an integer option.
    ///
    /// Options that shape connections (``IntegerOption/maxMessageSize``,
    /// heartbeats, reconnection, high-water marks, routing id) are copied when
    /// `bind` or `connect` is called, so set them first; timeouts, linger and
    /// ``IntegerOption/routerMandatory`` apply immediately.
    /// - Throws: ``ZMQError`` with `EINVAL` if `value` does not fit the option's
    ///   C type or libzmq rejects it.
    public func setOption(_ option: IntegerOption, _ value: Int) throws {
        let operation = "setsockopt(\(option.name), \(value))"
        let socket = try open(operation)
        let rc: Int32
        if option.is64Bit {
            var cValue = Int64(value)
            rc = zmq_setsockopt(socket, option.code, &cValue, MemoryLayout<Int64>.size)
        } else {
            guard var cValue = Int32(exactly: value) else {
                throw ZMQError(operation: operation, code: EINVAL)
            }
            rc = zmq_setsockopt(socket, option.code, &cValue, MemoryLayout<Int32>.size)
        }
        guard rc == 0 else { throw ZMQError.current(operation) }
    }

    /// Sets a byte-string option such as ``BytesOption/routingID`` (before `connect`).
    /// - Throws: ``ZMQError`` if libzmq rejects the value.
    public func setOption(_ option: BytesOption, _ value: [UInt8]) throws {
        let operation = "setsockopt(\(option.name), \(value.count) bytes)"
        let socket = try open(operation)
        let rc = value.withUnsafeBytes { bytes in
            zmq_setsockopt(socket, option.code, bytes.baseAddress, bytes.count)
        }
        guard rc == 0 else { throw ZMQError.current(operation) }
    }

    /// Reads an integer option.
    public func option(_ option: IntegerOption) throws -> Int {
        let operation = "getsockopt(\(option.name))"
        let socket = try open(operation)
        if option.is64Bit {
            var cValue: Int64 = 0
            var size = MemoryLayout<Int64>.size
            guard zmq_getsockopt(socket, option.code, &cValue, &size) == 0 else {
                throw ZMQError.current(operation)
            }
            return Int(cValue)
        } else {
            var cValue: Int32 = 0
            var size = MemoryLayout<Int32>.size
            guard zmq_getsockopt(socket, option.code, &cValue, &size) == 0 else {
                throw ZMQError.current(operation)
            }
            return Int(cValue)
        }
    }

    /// Reads a byte-string option (at most 255 bytes, enough for routing ids).
    public func option(_ option: BytesOption) throws -> [UInt8] {
        let operation = "getsockopt(\(option.name))"
        let socket = try open(operation)
        var buffer = [UInt8](repeating: 0, count: 256)
        var size = buffer.count
        guard zmq_getsockopt(socket, option.code, &buffer, &size) == 0 else {
            throw ZMQError.current(operation)
        }
        return Array(buffer.prefix(size))
    }

    /// Sends `frames` as one multipart message (`ZMQ_SNDMORE` on all but the
    /// last). libzmq delivers multipart messages atomically: the peer receives
    /// all frames or none. For a ROUTER the first frame is the peer's routing id.
    ///
    /// Blocks while the outbound queue is full, up to `ZMQ_SNDTIMEO`. Calls
    /// interrupted by a signal are retried.
    /// - Throws: ``ZMQError`` — `EAGAIN` (``ZMQError/isTimeout``) if the send
    ///   timed out before anything was queued, `EHOSTUNREACH` for an unknown
    ///   peer of a mandatory ROUTER, `ETERM` after ``ZMQContext/shutdown()``,
    ///   `EINVAL` for an empty `frames` array.
    public func send(_ frames: [[UInt8]]) throws {
        let socket = try open("zmq_send")
        guard !frames.isEmpty else {
            throw ZMQError(operation: "zmq_send(0 frames)", code: EINVAL)
        }
        let last = frames.count - 1
        for (index, frame) in frames.enumerated() {
            let flags: Int32 = index == last ? 0 : ZMQ_SNDMORE
            while true {
                // zmq_send copies the bytes into a libzmq message before returning.
                let rc = frame.withUnsafeBytes { bytes in
                    zmq_send(socket, bytes.baseAddress, bytes.count, flags)
                }
                if rc >= 0 { break }
                let error = ZMQError.current("zmq_send(frame \(index + 1) of \(frames.count), \(frame.count) bytes)")
                if error.code == EINTR { continue }
                throw error
            }
        }
    }

    /// Receives one multipart message, blocking up to `ZMQ_RCVTIMEO`.
    ///
    /// For a ROUTER the first frame is the sender's routing id. Calls
    /// interrupted by a signal are retried (restarting the timeout).
    /// - Returns: the frames, or nil if the timeout expired with nothing to read.
    /// - Throws: ``ZMQError`` — notably `ETERM` after ``ZMQContext/shutdown()``.
    public func receive() throws -> [[UInt8]]? {
        let socket = try open("zmq_msg_recv")
        // Heap-allocated so the zmq_msg_t (which may hold small payloads inline)
        // never moves while libzmq or we are looking at it.
        let message = UnsafeMutablePointer<zmq_msg_t>.allocate(capacity: 1)
        defer { message.deallocate() }

        var frames: [[UInt8]] = []
        while true {
            zmq_msg_init(message)
            defer { zmq_msg_close(message) }
            while zmq_msg_recv(message, socket, 0) < 0 {
                let error = ZMQError.current("zmq_msg_recv(frame \(frames.count + 1))")
                if error.code == EINTR { continue }
                // Once the first frame has arrived the rest are already queued, so
                // a timeout can only happen before anything was read.
                if error.code == EAGAIN, frames.isEmpty { return nil }
                throw error
            }
            let size = zmq_msg_size(message)
            if size == 0 {
                frames.append([])
            } else {
                frames.append(Array(UnsafeRawBufferPointer(start: zmq_msg_data(message), count: size)))
            }
            if zmq_msg_more(message) == 0 { return frames }
        }
    }

    /// Waits until a message can be received without blocking.
    /// - Parameter timeoutMilliseconds: how long to wait; 0 checks without
    ///   waiting, a negative value waits forever. Signal interruptions resume
    ///   waiting for the remaining time.
    /// - Returns: true if a message is ready, false if the timeout expired.
    /// - Throws: ``ZMQError`` — notably `ETERM` after ``ZMQContext/shutdown()``.
    public func poll(timeoutMilliseconds: Int) throws -> Bool {
        try ZMQPoller.poll([self], timeoutMilliseconds: timeoutMilliseconds)[0]
    }

    /// Starts publishing this socket's connection events (`zmq_socket_monitor`)
    /// on a `ZMQ_PAIR` socket that libzmq binds at `endpoint`, an `inproc://`
    /// address unique within the context. Connect a ``Kind/pair`` socket of the
    /// same context to it before this socket binds or connects, or early events
    /// are dropped; ``HandshakeMonitor`` does all of that.
    /// - Parameter events: a bitmask of `ZMQ_EVENT_*` values (`ZMQ_EVENT_ALL` for all).
    /// - Throws: ``ZMQError`` naming the endpoint (`EPROTONOSUPPORT` if it is not
    ///   `inproc://`, `EADDRINUSE` if it is taken).
    public func monitor(_ endpoint: String, events: Int32) throws {
        let operation = "zmq_socket_monitor(\"\(endpoint)\")"
        let socket = try open(operation)
        guard zmq_socket_monitor(socket, endpoint, events) == 0 else {
            throw ZMQError.current(operation)
        }
    }

    /// Stops the event publishing started by ``monitor(_:events:)``, closing
    /// libzmq's end of the monitor endpoint.
    /// - Throws: ``ZMQError`` (`ENOTSOCK` once this socket is closed).
    public func stopMonitor() throws {
        let operation = "zmq_socket_monitor(NULL)"
        let socket = try open(operation)
        guard zmq_socket_monitor(socket, nil, 0) == 0 else {
            throw ZMQError.current(operation)
        }
    }

    /// The live handle, or `ENOTSOCK` once the socket has been closed. Internal
    /// so that ``ZMQPoller`` can hand several handles to one `zmq_poll`.
    func open(_ operation: String) throws -> UnsafeMutableRawPointer {
        guard let handle else { throw ZMQError(operation: operation, code: ENOTSOCK) }
        return handle
    }
}
