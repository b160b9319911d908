import Foundation
import Worker

/// What `calib run` says when it is interrupted (Ctrl-C, SIGTERM) while it collects
/// statistics: the progress line is ended, and one line tells what is kept and how to go
/// on. Without it the terminal was left mid-line, with nothing said about the images
/// already done.
enum InterruptNotice {
    /// Watches for interrupts until the result is cancelled; on one, prints `message`
    /// (given the signal's name) and exits with status 128 + signal.
    static func watch(message: @escaping @Sendable (String) -> String) -> InterruptCleanup {
        InterruptCleanup { number in
            StandardErrorLines.shared.endStatus()
            StandardErrorLines.shared.write(lines: "\(message(number == SIGINT ? "SIGINT" : "SIGTERM"))\n")
        }
    }
}
