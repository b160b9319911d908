/// Why a distributed run stopped.
public enum CoordinatorError: Error, Sendable, CustomStringConvertible {
    /// A shard failed on workers as often as allowed.
    case shardFailed(String)
    /// A shard's input fails on any worker (an image whose bytes do not decode): running
    /// the same job again fails the same way, so its journal cannot help.
    case input(String)
    /// The journal could not be read or written.
    case journal(String)
    /// No worker is left to do the work (all exited, or none live for the idle timeout).
    case noWorkers(String)
    /// The metrics port could not be served.
    case metrics(String)
    /// A shard's images could not be read.
    case images(String)

    public var description: String {
        switch self {
        case let .shardFailed(reason): "calibration stopped: \(reason)"
        case let .input(reason): "calibration stopped: \(reason)"
        case let .journal(reason): "calibration stopped: \(reason)"
        case let .noWorkers(reason): "calibration stopped: \(reason)"
        case let .metrics(reason): reason
        case let .images(reason): "calibration stopped: \(reason)"
        }
    }
}
