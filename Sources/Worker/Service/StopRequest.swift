import Dispatch
import Foundation

/// A request to stop serving, raised by SIGTERM or SIGINT (`podman stop`, Ctrl-C): the
/// worker then takes no new shard, finishes or gives back the one it runs, says `bye` and
/// exits 0. A second signal while it drains ends the process at once with the usual
/// status 128 + signal.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var raisedBy: Int32?
    private var sources: [DispatchSourceSignal] = []
    private let signals: [Int32]

    /// Watches `signals` from now on; until one comes, `signal` is nil.
    public init(signals: [Int32] = [SIGTERM, SIGINT]) {
        self.signals = signals
        let queue = DispatchQueue(label: "calib.stop-request")
        sources = signals.map { number in
            // Ignored first, so the default action (terminate) never runs before the source sees it.
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.raise(number) }
            source.resume()
            return source
        }
    }

    deinit {
        for source in sources { source.cancel() }
    }

    /// The signal that asked this process to stop, if one did.
    public var signal: Int32? {
        lock.lock()
        defer { lock.unlock() }
        return raisedBy
    }

    /// The signal's name as `kill -l` prints it with a SIG prefix, e.g. `SIGTERM`.
    public static func name(of number: Int32) -> String {
        switch number {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        default: "signal \(number)"
        }
    }

    private func raise(_ number: Int32) {
        lock.lock()
        let earlier = raisedBy
        if earlier == nil {
            raisedBy = number
            // From now on a signal takes its default action: the second one ends the
            // process at once, even while it closes ZeroMQ (up to 2 s for the goodbye).
            for watched in signals { Foundation.signal(watched, SIG_DFL) }
        }
        lock.unlock()
        // `_exit`, not `exit`: exit handlers would wait for the ZeroMQ context a draining
        // worker is closing (seconds), and "at once" means at once.
        if earlier != nil { _exit(128 + number) }
    }
}
