import Worker
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
            let figures =
                summary.count == 0
                ? String(repeating: " ", count: 33) + "no finite value"
                : String(
                    format: " %10.3g %10.3g %10.3g %10.3g  ", summary.minimum, summary.maximum, summary.mean,
                    summary.standardDeviation) + Self.bar(Double(max(-summary.minimum, summary.maximum)))
            let nonFinite = summary.nonFiniteCount > 0 ? "  (\(summary.nonFiniteCount) NaN/inf)" : ""
            lines.append(
                name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                    + row.type.padding(toLength: 12, withPad: " ", startingAt: 0) + "  "
                    + shape.padding(toLength: 20, withPad: " ", startingAt: 0) + figures + nonFinite)
        }
        return lines.joined(separator: "\n")
    }

    /// Up to 20 `=` for a largest magnitude of 10^-3 to 10^3 (finite, as summaries are).
    static func bar(_ absoluteMaximum: Double) -> String {
        guard absoluteMaximum > 0, absoluteMaximum.isFinite else { return "" }
        let position = ((log10(absoluteMaximum) + 3) / 6 * 20).rounded()
        return String(repeating: "=", count: Int(min(max(position, 0), 20)))
    }
}
