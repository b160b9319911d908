import Dispatch
import Foundation

/// Removes a command's temporary files when it is interrupted (SIGINT, SIGTERM) while they
/// exist, then exits with the usual status 128 + signal: a conversion stopped with Ctrl-C
/// must not leave tens of megabytes of scratch output behind. Cancel it once the files
/// are gone or renamed into place.
public final class InterruptCleanup: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]

    /// Watches for interrupts until `cancel()`; on one, removes `paths` (folders with
    /// their contents) and exits.
    public init(removing paths: [String]) {
        let queue = DispatchQueue(label: "calib.interrupt-cleanup")
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                for path in paths { try? FileManager.default.removeItem(atPath: path) }
                exit(128 + number)
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
