import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Waits on several sockets at once with one `zmq_poll` call, for a thread that
/// serves more than one socket (a coordinator's ROUTER and its metrics endpoint,
/// a worker's DEALER and its handshake monitor).
///
/// libzmq's poller on Linux and macOS is built on `poll(2)`, so the number of
/// sockets is not limited by `FD_SETSIZE`; hundreds are fine. The same
/// threading rule as for ``ZMQSocket`` applies: the calling thread must be the
/// only one using these sockets while it polls.
public enum ZMQPoller {
    /// Waits until at least one of `sockets` has a message that can be received
    /// without blocking, or the timeout expires.
    /// - Parameters:
    ///   - sockets: the sockets to watch; may be empty (then this only waits).
    ///   - timeoutMilliseconds: how long to wait; 0 checks without waiting, a
    ///     negative value waits forever. Signal interruptions resume waiting for
    ///     the remaining time.
    /// - Returns: one flag per socket, in the order given: true if that socket
    ///   is readable (`ZMQ_POLLIN`). All false when the timeout expired.
    /// - Throws: ``ZMQError`` — `ENOTSOCK` if a socket was closed, `ETERM` after
    ///   ``ZMQContext/shutdown()``.
    public static func poll(_ sockets: [ZMQSocket], timeoutMilliseconds: Int) throws -> [Bool] {
        var items = try sockets.map { socket in
            zmq_pollitem_t(socket: try socket.open("zmq_poll"), fd: 0, events: Int16(ZMQ_POLLIN), revents: 0)
        }
        guard let count = Int32(exactly: items.count) else {
            throw ZMQError(operation: "zmq_poll(\(items.count) sockets)", code: EINVAL)
        }
        let clock = ContinuousClock()
        let deadline = clock.now.advanced(by: .milliseconds(max(0, timeoutMilliseconds)))
        var timeout = timeoutMilliseconds
        while true {
            let rc = items.withUnsafeMutableBufferPointer { buffer in
                zmq_poll(buffer.baseAddress, count, timeout)
            }
            if rc >= 0 { return items.map { ($0.revents & Int16(ZMQ_POLLIN)) != 0 } }
            let error = ZMQError.current("zmq_poll")
            guard error.code == EINTR else { throw error }
            if timeoutMilliseconds > 0 {
                let remaining = clock.now.duration(to: deadline)
                guard remaining > .zero else { return Array(repeating: false, count: items.count) }
                let (seconds, attoseconds) = remaining.components
                timeout = Int(seconds) * 1000 + Int((attoseconds + 999_999_999_999_999) / 1_000_000_000_000_000)
            }
        }
    }
}
