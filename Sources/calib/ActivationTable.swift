import Coordinator
import Foundation

/// Renders per-layer activation ranges as a table with a bar of each layer's spread on
/// a log scale, so a reader sees at a glance whether values stay in a sane range.
struct ActivationTable {
    let rows: [InferenceReport.Activation]

    init(_ rows: [InferenceReport.Activation]) {
        self.rows = rows
    }

    func render() -> String {
        let nameWidth = min(max(rows.map(\.layer.count).max() ?? 5, 5), 44)
        var lines = [
            "layer".padding(toLength: nameWidth, withPad: " ", startingAt: 0)
                + "  type          shape                    min        max       mean        std  |max| (log10 -3..3)"
        ]
        for row in rows {
            let name = row.layer.count > nameWidth ? "…" + row.layer.suffix(nameWidth - 1) : row.layer
            let shape = row.dims.map(String.init).joined(separator: "x")
            let summary = row.summary
            let absMax = max(abs(Double(summary.minimum)), abs(Double(summary.maximum)))
            let position = absMax > 0 ? Int(((log10(absMax) + 3) / 6 * 20).rounded()) : 0
            let bar = String(repeating: "=", count: min(max(position, 0), 20))
            lines.append(
                name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                    + row.type.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                    + shape.padding(toLength: 20, withPad: " ", startingAt: 0)
                    + String(
                        format: " %10.3g %10.3g %10.3g %10.3g  ", summary.minimum, summary.maximum, summary.mean,
                        summary.standardDeviation) + bar)
        }
        return lines.joined(separator: "\n")
    }
}
