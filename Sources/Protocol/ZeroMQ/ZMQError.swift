import CZeroMQ

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failed libzmq call, captured with enough context to be logged on one line.
///
/// libzmq reports failures through `errno`; this type pairs that number with the
/// operation that failed (including its argument when that helps, such as the
/// endpoint given to `bind` or `connect`) and libzmq's own explanation of it.
public struct ZMQError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was being attempted, for example `connect("tcp://host:5555")`.
    public let operation: String
    /// The `errno` value libzmq reported.
    public let code: Int32
    /// `zmq_strerror(code)`: libzmq's human-readable text for `code`.
    public let message: String

    /// Creates an error for `operation` with an explicit `errno` value.
    public init(operation: String, code: Int32) {
        self.operation = operation
        self.code = code
        self.message = String(cString: zmq_strerror(code))
    }

    /// Creates an error for `operation` from the calling thread's current `errno`.
    ///
    /// Call this immediately after the failing libzmq call. `errno` is read
    /// before `operation` is built, so formatting it cannot clobber the value.
    public static func current(_ operation: @autoclosure () -> String) -> ZMQError {
        let code = zmq_errno()
        return ZMQError(operation: operation(), code: code)
    }

    /// `operation failed: message (errno N)`, on a single line.
    public var description: String {
        "\(operation) failed: \(message) (errno \(code))"
    }

    /// True when the context was terminated or shut down (`ETERM`); the socket
    /// can only be closed after this.
    public var isContextTerminated: Bool { code == ETERM }

    /// True when a send or receive gave up because its timeout expired or it
    /// would have blocked (`EAGAIN`).
    public var isTimeout: Bool { code == EAGAIN }

    /// True when a ROUTER with `ZMQ_ROUTER_MANDATORY` was asked to send to a peer
    /// it is not connected to (`EHOSTUNREACH`).
    public var isHostUnreachable: Bool { code == EHOSTUNREACH }
}
