import Core
import Foundation

/// The closing summary of `calib run`: what was quantized, the ranges, the time.
struct CalibrationSummary {
    let plan: QuantizationPlan
    let ranges: [ActivationRange]
    let images: Int
    let method: CalibrationMethod
    let preset: QuantizationPreset
    let seconds: Double
    let output: String
    let weightsBytes: Int
    /// The HTML report written beside the output.
    let report: String
    /// Tensors whose NaN and infinite values were left out of the statistics.
    let nonFinite: [(tensor: String, nan: UInt64, infinite: UInt64)]
    /// FastBiasCorrection's layers by name, and whether each was corrected; nil when it was off.
    let biasCorrections: [(layer: String, isApplied: Bool)]?
    /// With worker processes: which instruction set their OpenVINO ran on.
    var instructionSets: String? = nil

    /// Layers named in the line of those FastBiasCorrection skipped; the report has them all.
    static let skippedLayersShown = 5

    /// The ranges table first, then the lines to read at a glance, last on the screen.
    func render() -> String {
        let unsigned = ranges.filter(\.isUnsigned).count
        var lines = ["ranges (low .. high):"]
        let width = min(plan.activations.map(\.name.count).max() ?? 10, 44)
        for (activation, range) in zip(plan.activations, ranges) {
            let name = activation.name.count > width ? "…" + activation.name.suffix(width - 1) : activation.name
            lines.append(
                "    " + name.padding(toLength: width, withPad: " ", startingAt: 0)
                    + String(format: " %11.5g .. %.5g", range.low, range.high))
        }
        lines += [
            "calibrated \(images) images, method \(method.rawValue), preset \(preset.rawValue), in \(String(format: "%.1f", seconds)) s",
            "  \(plan.activations.count) activation tensors quantized (\(unsigned) unsigned, \(ranges.count - unsigned) signed), "
                + "\(plan.weights.count) weight tensors int8, \(plan.excluded.count) layers kept float",
            "  wrote \(output) (+ .bin, \(String(format: "%.1f", Double(weightsBytes) / 1e6)) MB)",
            biasCorrectionLine,
        ]
        if let skipped = biasCorrections?.filter({ !$0.isApplied }), !skipped.isEmpty {
            let shown = skipped.prefix(Self.skippedLayersShown).map(\.layer).joined(separator: ", ")
            let rest = skipped.count > Self.skippedLayersShown ? " and \(skipped.count - Self.skippedLayersShown) more (all in the report)" : ""
            lines.append("  bias correction skipped (a bias of 0, or a change of 200 % or more): \(shown)\(rest)")
        }
        if !nonFinite.isEmpty {
            lines.append("  non-finite activations, left out of the statistics (\(nonFinite.count) tensors):")
            for entry in nonFinite {
                lines.append("    \(entry.tensor): \(entry.nan) NaN, \(entry.infinite) infinite")
            }
        }
        if let instructionSets { lines.append("  workers: \(instructionSets)") }
        lines.append("  report: \(report) (ranges and a plot per tensor, for a browser)")
        return lines.joined(separator: "\n")
    }

    private var biasCorrectionLine: String {
        guard let biasCorrections else { return "  bias correction off (--no-bias-correction)" }
        let applied = biasCorrections.filter(\.isApplied).count
        return "  bias correction (FastBiasCorrection): \(applied) of \(biasCorrections.count) layers corrected"
    }
}
