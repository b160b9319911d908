import Foundation
import Testing
import TestSupport

@testable import Core

/// Activation-like test data, reproducible from a seed.
enum ActivationData {
    static let size = 200_000

    /// ReLU output: half zeros, a gamma(2)-shaped positive tail.
    static func relu(seed: UInt64 = 1) -> [Float] {
        var generator = SeededGenerator(seed: seed, stream: "relu")
        return (0..<size).map { _ in
            generator.unit() < 0.5 ? 0 : Float(-0.6 * (log(max(generator.unit(), 1e-300)) + log(max(generator.unit(), 1e-300))))
        }
    }

    /// Convolution output: a Gaussian slightly off zero.
    static func gaussian(seed: UInt64 = 1) -> [Float] {
        var generator = SeededGenerator(seed: seed, stream: "gaussian")
        return (0..<size).map { _ in Float(0.2 + 1.5 * generator.normal()) }
    }

    /// Heavy tails (a Gaussian with log-normal scale) and 20 outliers 40 to 100 times the bulk.
    static func heavyTailed(seed: UInt64 = 1) -> [Float] {
        var generator = SeededGenerator(seed: seed, stream: "heavy")
        var values = (0..<size).map { _ in Float(generator.normal() * exp(0.6 * generator.normal())) }
        for index in 0..<20 {
            values[index * (size / 20)] = Float((generator.unit() < 0.5 ? -1 : 1) * (40 + 60 * generator.unit()))
        }
        return values
    }

    static let all: [(name: String, values: [Float])] = [
        ("ReLU", relu()), ("Gaussian", gaussian()), ("heavy-tailed", heavyTailed()),
    ]

    /// Each dataset's values sorted, its histogram and its raw-value KL search, computed once.
    static let sorted = all.map { $0.values.map(Double.init).sorted() }
    static let histograms = all.map { histogram($0.values) }
    static let magnitudeHistograms = all.map { RawReference.magnitudeHistogram($0.values) }
    static let leastDivergent = magnitudeHistograms.map { RawReference.leastDivergent($0.counts) }

    static func histogram(_ values: [Float]) -> ActivationHistogram {
        var histogram = ActivationHistogram()
        values.withUnsafeBufferPointer { histogram.add($0) }
        return histogram
    }
}

/// The range pickers on the merged histogram agree with the same algorithms on raw values.
struct HistogramThresholdsTests {
    static func relativeError(_ value: Double, _ reference: Double) -> Double {
        value == reference ? 0 : abs(value - reference) / abs(reference)
    }

    @Test(arguments: ActivationData.all.indices)
    func quantileRangeMatchesRawValues(dataset: Int) {
        let histogram = ActivationData.histograms[dataset]
        let sorted = ActivationData.sorted[dataset]
        let name = ActivationData.all[dataset].name
        for probability in [1e-4, 1e-3, 1e-2] {
            let (low, high) = HistogramThresholds.quantile(histogram, outlierProbability: probability)
            let (lowReference, highReference) = (
                RawReference.quantile(sorted: sorted, probability), RawReference.quantile(sorted: sorted, 1 - probability)
            )
            #expect(Self.relativeError(low, lowReference) < 1e-3, "\(name) \(probability): \(low) vs \(lowReference)")
            #expect(Self.relativeError(high, highReference) < 1e-3, "\(name) \(probability): \(high) vs \(highReference)")
        }
    }

    @Test(arguments: ActivationData.all.indices)
    func meanSquaredErrorThresholdMatchesRawValues(dataset: Int) {
        let histogram = ActivationData.histograms[dataset]
        let name = ActivationData.all[dataset].name
        for signed in [true, false] {
            let threshold = HistogramThresholds.meanSquaredError(histogram, levels: 256, signed: signed)
            let reference = RawReference.meanSquaredError(sortedValues: ActivationData.sorted[dataset], levels: 256, signed: signed)
            #expect(Self.relativeError(threshold, reference) < 1e-3, "\(name) signed \(signed): \(threshold) vs \(reference)")
            #expect(threshold > 0 && threshold < histogram.absoluteMaximum!)
        }
    }

    /// On these ReLU and heavy-tailed samples the histogram finds the raw values' threshold
    /// within 0.1 % (zeros left out of both).
    @Test(arguments: [0, 2])
    func entropyThresholdMatchesRawValues(dataset: Int) {
        let threshold = HistogramThresholds.entropy(ActivationData.histograms[dataset])
        let width = ActivationData.magnitudeHistograms[dataset].width
        let reference = (Double(ActivationData.leastDivergent[dataset]) + 0.5) * width
        #expect(Self.relativeError(threshold, reference) < 1e-3, "\(ActivationData.all[dataset].name): \(threshold) vs \(reference)")
    }

    /// On Gaussian data the KL minimum sits in the sparse far tail and is flat: jittering the
    /// raw values by ±0.05 % (half a histogram bin) moves the raw argmin by up to 12 % in
    /// about 1 seed of 8, so 0.1 % cannot hold there. What holds: the histogram's threshold
    /// is as good as the raw one by the raw values' own divergence, within a few percent.
    @Test func entropyThresholdOnGaussianDataIsNearOptimalForRawValues() {
        let (counts, width) = ActivationData.magnitudeHistograms[1]
        let threshold = HistogramThresholds.entropy(ActivationData.histograms[1])
        let kept = Int((threshold / width).rounded(.down))
        let best = ActivationData.leastDivergent[1]
        let divergence = RawReference.divergence(counts, kept: kept, levels: 128)
        let excess = divergence / RawReference.divergence(counts, kept: best, levels: 128) - 1
        #expect(excess < 0.03, "kept \(kept) bins, raw optimum \(best)")
    }

    /// Half of a ReLU output is zeros. Counted in the first bin, they made the narrowest
    /// candidate (levels/2048 of the maximum) win on every ReLU tensor, which clipped 12 to
    /// 19 % of the example model's activations; left out, the threshold keeps all but a
    /// sliver of the tail, with 256 levels as an unsigned range has.
    @Test func zerosDoNotPullTheEntropyThresholdDown() {
        let values = ActivationData.all[0].values
        let histogram = ActivationData.histograms[0]
        #expect(histogram.zeroCount > UInt64(values.count / 3))
        for levels in [128, 256] {
            let threshold = HistogramThresholds.entropy(histogram, levels: levels)
            let clipped = values.filter { Double($0) > threshold }.count
            let nonZero = values.filter { $0 != 0 }.count
            #expect(Double(clipped) / Double(nonZero) < 0.01, "levels \(levels): \(threshold) clips \(clipped) of \(nonZero)")
            #expect(threshold > Double(levels) / 2048 * histogram.absoluteMaximum! * 2)
        }
        // `kl` takes 256 levels for an unsigned tensor (u8 over [0, T]) and 128 on each
        // side for a signed one.
        var unsigned = TensorStatistics()
        values.withUnsafeBufferPointer { unsigned.record(image: 0, values: $0) }
        let range = RangeSelector(method: .kl).range(for: unsigned)
        #expect(range.low == 0 && Double(range.high) == HistogramThresholds.entropy(histogram, levels: 256).float)
        var signed = TensorStatistics()
        let shifted = values.map { $0 - 0.25 }
        shifted.withUnsafeBufferPointer { signed.record(image: 0, values: $0) }
        #expect(Double(RangeSelector(method: .kl).range(for: signed).high) == HistogramThresholds.entropy(signed.histogram, levels: 128).float)
    }

    /// The KL search itself (prefix sums, level by level) picks the reference's bin on the
    /// raw values' own histogram; near-ties may differ by one bin through rounding.
    @Test(arguments: ActivationData.all.indices)
    func divergenceSearchMatchesReferenceOnTheSameHistogram(dataset: Int) {
        let kept = HistogramThresholds.leastDivergentBinCount(ActivationData.magnitudeHistograms[dataset].counts, levels: 128)
        #expect(abs(kept - ActivationData.leastDivergent[dataset]) <= 1)
    }

    @Test func rebinningKeepsEveryValueAndSplitsByOverlap() {
        let bins: [(lower: Double, upper: Double, count: UInt64)] = [(0, 0x1p-40, 5), (0.5, 1.5, 10), (3.5, 4, 2)]
        let linear = HistogramThresholds.linearHistogram(bins, bins: 4, width: 1)
        #expect(linear == [5 + 5, 5, 0, 2])
    }

    @Test func degenerateHistogramsGiveZero() {
        let zeros = ActivationData.histogram([0, 0, -0.0])
        #expect(HistogramThresholds.entropy(zeros) == 0)
        #expect(HistogramThresholds.meanSquaredError(zeros, signed: false) == 0)
        #expect(HistogramThresholds.entropy(ActivationHistogram()) == 0)
        #expect(HistogramThresholds.quantile(ActivationHistogram(), outlierProbability: 1e-4) == (0, 0))
    }
}

extension Double {
    /// The value rounded to Float and back, as a range stores it.
    fileprivate var float: Double { Double(Float(self)) }
}
