import Foundation

/// A one-line progress bar on standard error: items done, rate and time left. Redrawn in
/// place on a terminal, below the log lines (`StandardErrorLines`); on a pipe or file it
/// prints a plain line every 10 %.
///
/// A class so that the line is ended when the bar goes away, however the work ended: an
/// error printed next must not run on from the end of the bar.
final class ProgressBar {
    let total: Int
    let label: String
    /// Items done before this run (resumed from a journal): in the count, not in the rate.
    let resumed: Int
    private let start = Date()
    private let interactive = StandardErrorLines.shared.isTerminal
    private var lastDecile = -1

    init(total: Int, label: String, resumed: Int = 0) {
        self.total = total
        self.label = label
        self.resumed = resumed
    }

    deinit {
        if interactive { StandardErrorLines.shared.endStatus() }
    }

    func update(done: Int, extra: String = "") {
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(max(done - resumed, 0)) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let width = 30
        let filled = total > 0 ? width * done / total : width
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        let line = "\(label) [\(bar)] \(done)/\(total)  \(String(format: "%.2f", rate)) img/s  ETA \(rate > 0 ? Self.clock(remaining) : "-:--")\(extra.isEmpty ? "" : "  " + extra)"
        if interactive {
            StandardErrorLines.shared.show(status: line)
            if done == total { StandardErrorLines.shared.endStatus() }
        } else {
            let decile = total > 0 ? 10 * done / total : 10
            if decile != lastDecile {
                lastDecile = decile
                FileHandle.standardError.write(Data("\(line)\n".utf8))
            }
        }
    }

    private static func clock(_ seconds: Double) -> String {
        let whole = Int(seconds.rounded())
        return String(format: "%d:%02d", whole / 60, whole % 60)
    }
}
