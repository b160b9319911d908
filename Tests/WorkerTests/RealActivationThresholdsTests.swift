import Core
import Foundation
import Testing
import TestSupport
import Worker

/// Thresholds picked from the merged histogram against the same algorithms run on the
/// raw activations of the example model (two images through OpenVINO).
@Suite(.serialized) struct RealActivationThresholdsTests {
    /// Raw values of a few planned tensors, both images concatenated, and their histograms.
    static let samples: [(name: String, values: [Float], histogram: ActivationHistogram)] = {
        let names = ["backbone.layer3.5.relu", "additional_blocks.0.2.relu", "backbone.layer3.5.conv2"]
        let plan = try! QuantizationPlan(graph: ExampleModelFixture.graph)
        let tensors = names.map { name in plan.activations.first { $0.name == name }!.tensor }
        let probe = try! ActivationProbe(graph: ExampleModelFixture.graph, tensors: tensors)
        let inference = try! FP32Inference(graph: probe.graph, runtime: ExampleModelFixture.runtime, threads: 2)
        var values = [[Float]](repeating: [], count: names.count)
        var histograms = [ActivationHistogram](repeating: ActivationHistogram(), count: names.count)
        for image in 0..<2 {
            for (slot, output) in try! inference.infer(ExampleModelFixture.input(index: image)).dropFirst(probe.originalOutputs)
                .enumerated()
            {
                values[slot] += output.floats!
                histograms[slot].add(output.floats!)
            }
        }
        return names.indices.map { (names[$0], values[$0], histograms[$0]) }
    }()

    private static func relativeError(_ value: Double, _ reference: Double) -> Double {
        value == reference ? 0 : abs(value - reference) / abs(reference)
    }

    @Test(arguments: 0..<3)
    func quantileAndMeanSquaredErrorWithinATenthOfAPercent(sample: Int) {
        let (name, values, histogram) = Self.samples[sample]
        let sorted = values.map(Double.init).sorted()
        for probability in [1e-4, 1e-3] {
            let (low, high) = HistogramThresholds.quantile(histogram, outlierProbability: probability)
            #expect(Self.relativeError(high, RawReference.quantile(sorted: sorted, 1 - probability)) < 1e-3, "\(name)")
            let rawLow = RawReference.quantile(sorted: sorted, probability)
            // A quantile that is exactly 0 (ReLU) must come out as 0.
            #expect(rawLow == 0 ? low == 0 : Self.relativeError(low, rawLow) < 1e-3, "\(name): \(low) vs \(rawLow)")
        }
        let signed = sorted.first! < 0
        let threshold = HistogramThresholds.meanSquaredError(histogram, levels: 256, signed: signed)
        let reference = RawReference.meanSquaredError(sortedValues: sorted, levels: 256, signed: signed)
        #expect(Self.relativeError(threshold, reference) < 1e-3, "\(name): \(threshold) vs \(reference)")
    }

    /// KL: the divergence's minimum is flat in the tail of these tensors (ReLU outputs too,
    /// now that their zeros are left out), so moving values by less than a histogram bin
    /// moves it by many bins. What holds: the histogram's pick is near-optimal by the raw
    /// values' own divergence, with the levels `kl` uses for each (256 unsigned, 128 signed).
    @Test(arguments: 0..<3)
    func entropyThresholdMatchesRawValues(sample: Int) {
        let (name, values, histogram) = Self.samples[sample]
        let levels = values.min()! >= 0 ? 256 : 128
        let (counts, width) = RawReference.magnitudeHistogram(values)
        let best = RawReference.leastDivergent(counts, levels: levels)
        let threshold = HistogramThresholds.entropy(histogram, levels: levels)
        let kept = Int((threshold / width).rounded(.down))
        let excess =
            RawReference.divergence(counts, kept: kept, levels: levels) / RawReference.divergence(counts, kept: best, levels: levels) - 1
        #expect(excess < 0.03, "\(name): kept \(kept) bins, raw optimum \(best)")
    }
}
