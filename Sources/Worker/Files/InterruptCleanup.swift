import Dispatch
import Foundation

/// Cleans up when a command is interrupted (SIGINT, SIGTERM), then exits with the usual
/// status 128 + signal: a conversion stopped with Ctrl-C must not leave tens of megabytes
/// of scratch output behind, and a calibration says what it keeps. Cancel it once the
/// work it guards is done.
public final class InterruptCleanup: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]

    /// Watches for interrupts until `cancel()`; on one, removes `paths` (folders with
    /// their contents) and exits.
    public convenience init(removing paths: [String]) {
        self.init { _ in
            for path in paths { try? FileManager.default.removeItem(atPath: path) }
        }
    }

    /// Watches for interrupts until `cancel()`; on one, runs `handler` with the signal
    /// and exits, without exit handlers: those would wait for OpenVINO's and ZeroMQ's
    /// threads.
    public init(handler: @escaping @Sendable (Int32) -> Void) {
        let queue = DispatchQueue(label: "calib.interrupt-cleanup")
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                handler(number)
                _exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Stops watching and restores the default actions.
    public func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
