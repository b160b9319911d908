import Foundation

/// Standard error as the log and the progress bar share it. On a terminal the progress
/// line is redrawn in place, and a log line (this process's, or a local worker's passed on
/// by `WorkerOutput`) is written above it: written straight to the stream, it ran on from
/// the end of the progress line. On a pipe or a file, text is written as it comes.
final class StandardErrorLines: @unchecked Sendable {
    static let shared = StandardErrorLines()

    /// Whether standard error is a terminal.
    let isTerminal = isatty(STDERR_FILENO) != 0
    private let lock = NSLock()
    /// The progress line on screen, if any (terminal only).
    private var status: String?

    /// Writes `text`, whole lines ending in a newline, above the progress line.
    func write(lines text: String) {
        lock.withLock {
            guard let status else { return emit(text) }
            emit("\r\u{1B}[K" + text + status)
        }
    }

    /// Draws `line` as the progress line in place of the one before (on a terminal only).
    func show(status line: String) {
        guard isTerminal else { return }
        lock.withLock {
            status = line
            emit("\r\u{1B}[K" + line)
        }
    }

    /// Leaves the progress line as it is and moves below it.
    func endStatus() {
        lock.withLock {
            guard status != nil else { return }
            status = nil
            emit("\n")
        }
    }

    private func emit(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// The stream swift-log's `StreamLogHandler` writes calib's log to.
struct StandardErrorStream: TextOutputStream, Sendable {
    func write(_ string: String) {
        StandardErrorLines.shared.write(lines: string)
    }
}
