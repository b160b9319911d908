import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Owns a libzmq context: the I/O threads and bookkeeping shared by sockets.
///
/// Every ``ZMQSocket`` keeps its context alive, so the context is terminated only
/// after all of its sockets have been closed and released. Termination
/// (`zmq_ctx_term`, run from `deinit`) blocks until every socket is closed;
/// because sockets default to `ZMQ_LINGER` 0, it does not also wait for unsent
/// messages.
///
/// libzmq contexts are thread-safe, hence `Sendable`.
public final class ZMQContext: @unchecked Sendable {
    /// The `void *` returned by `zmq_ctx_new`; valid until `deinit`.
    let handle: UnsafeMutableRawPointer

    /// Creates a new libzmq context.
    /// - Parameter maxSockets: sockets the context may hold (`ZMQ_MAX_SOCKETS`); nil
    ///   keeps libzmq's 1023.
    /// - Throws: ``ZMQError`` if libzmq cannot create one (e.g. out of file descriptors)
    ///   or refuses the socket limit.
    public init(maxSockets: Int? = nil) throws {
        guard let handle = zmq_ctx_new() else {
            throw ZMQError.current("zmq_ctx_new")
        }
        self.handle = handle
        if let maxSockets, zmq_ctx_set(handle, ZMQ_MAX_SOCKETS, Int32(clamping: maxSockets)) != 0 {
            throw ZMQError.current("zmq_ctx_set(ZMQ_MAX_SOCKETS, \(maxSockets))")
        }
    }

    /// Makes every blocking call on this context's sockets, in any thread, fail
    /// promptly with `ETERM` (see ``ZMQError/isContextTerminated``), and makes
    /// further socket operations fail the same way.
    ///
    /// Use it to stop threads parked in ``ZMQSocket/receive()`` or
    /// ``ZMQSocket/poll(timeoutMilliseconds:)``. Those threads must then close
    /// their sockets; the context itself is released as usual. Safe to call
    /// more than once and from any thread.
    public func shutdown() {
        _ = zmq_ctx_shutdown(handle)
    }

    deinit {
        // zmq_ctx_term can be interrupted by a signal; it must be retried, or
        // the context (and its I/O threads) would leak.
        while zmq_ctx_term(handle) != 0, zmq_errno() == EINTR {}
    }
}
