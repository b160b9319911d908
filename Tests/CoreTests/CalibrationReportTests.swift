import Foundation
import Testing

@testable import Core

/// The figures and the page of the report (`Q.report.html` next to an int8 IR `Q.xml`).
struct CalibrationReportPageTests {
    private func tensor(_ values: [Float], range: ActivationRange) -> TensorRangeReport {
        var statistics = TensorStatistics()
        values.withUnsafeBufferPointer { statistics.record(image: 0, values: $0) }
        return TensorRangeReport(name: "conv<1>", statistics: statistics, range: range, selector: RangeSelector())
    }

    @Test func clippedShareAndSQNRFollowFromTheHistogram() {
        let report = tensor([0, 1, 2, 3, 100], range: ActivationRange(low: 0, high: 4))
        #expect(report.clippedShare == 0.2)
        // Signal 0 + 1 + 4 + 9 + 100²; noise: 96² for the clipped value, step²/12 for the others.
        let step = 4.0 / 255
        let expected = 10 * log10((1 + 4 + 9 + 10_000) / (96 * 96 + 4 * step * step / 12))
        #expect(abs(report.estimatedSQNR - expected) < 0.05, "\(report.estimatedSQNR) vs \(expected)")
        #expect(report.alternatives.map(\.method) == CalibrationMethod.allCases)
        #expect(report.plotCounts.reduce(0, +) == 5 && report.plotCounts.count == TensorRangeReport.plotBins)
        #expect(report.plotHigh >= 100 && report.plotLow <= 0)
    }

    @Test func thePageHasAPlotPerTensorEscapesNamesAndNeedsNoNetwork() {
        let tensors = [tensor([0, 1, 2], range: .init(low: 0, high: 2)), tensor([-1, 1], range: .init(low: -1, high: 1))]
        let report = CalibrationReport(
            model: "m.xml", output: "q.xml", commandLine: "calib run --model m.xml", method: .pot, preset: .performance, images: 1,
            seconds: 0.5, weightTensors: 2, tensors: tensors,
            biasChanges: [.init(layer: "conv1", isApplied: true, largestRelativeChange: 0.1)], workers: nil)
        let page = report.html()
        #expect(page.components(separatedBy: "<svg class=\"histogram\"").count - 1 == 2)
        #expect(page.contains("conv&lt;1&gt;") && !page.contains("conv<1>"))
        #expect(!page.contains("<script") && !page.contains("http"))
        #expect(!page.contains("<h2>Workers</h2>"), "no worker table for a run in one process")
    }
}
