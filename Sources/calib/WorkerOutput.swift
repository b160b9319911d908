import Foundation

/// A local worker's standard error when `calib run --workers` writes to a terminal,
/// passed on line by line through `StandardErrorLines` so that the worker's log lines go
/// above the progress line instead of running on from its end.
final class WorkerOutput: @unchecked Sendable {
    /// The worker process's standard error.
    let pipe = Pipe()
    /// Bytes after the last complete line; touched by the read handler only, which
    /// Foundation runs one call at a time.
    private var pending = Data()

    init() {
        pipe.fileHandleForReading.readabilityHandler = { handle in
            let data = handle.availableData
            guard !data.isEmpty else {
                // The worker exited: pass on an unfinished last line as a line.
                handle.readabilityHandler = nil
                if !self.pending.isEmpty { StandardErrorLines.shared.write(lines: String(decoding: self.pending, as: UTF8.self) + "\n") }
                self.pending = Data()
                return
            }
            self.pending.append(data)
            guard let newline = self.pending.lastIndex(of: UInt8(ascii: "\n")) else { return }
            StandardErrorLines.shared.write(lines: String(decoding: self.pending[...newline], as: UTF8.self))
            self.pending = Data(self.pending[self.pending.index(after: newline)...])
        }
    }
}
