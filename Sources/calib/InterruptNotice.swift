import Dispatch
import Foundation

/// What `calib run` says when it is interrupted (Ctrl-C, SIGTERM) while it collects
/// statistics: the progress line is ended, and one line tells what is kept and how to go
/// on, before the process exits with the usual status 128 + signal. Without it the
/// terminal was left mid-line, with nothing said about the images already done.
final class InterruptNotice: @unchecked Sendable {
    private let sources: [DispatchSourceSignal]

    /// Watches for SIGINT and SIGTERM until `cancel()`; on one, prints `message` (given
    /// the signal's name) and exits.
    init(message: @escaping @Sendable (String) -> String) {
        let queue = DispatchQueue(label: "calib.interrupt-notice")
        sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                StandardErrorLines.shared.endStatus()
                StandardErrorLines.shared.write(lines: "\(message(number == SIGINT ? "SIGINT" : "SIGTERM"))\n")
                // `_exit`: exit handlers would wait for OpenVINO's and ZeroMQ's threads.
                _exit(128 + number)
            }
            source.resume()
            return source
        }
    }

    /// Stops watching and restores the default actions.
    func cancel() {
        for source in sources { source.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}
