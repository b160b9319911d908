import Foundation

/// What a report shows of one quantized tensor: its value distribution, the range
/// calibration picked and those the other methods would pick, how much the range clips,
/// and the quantization SQNR that range gives, estimated from the histogram. Without a
/// histogram (`StatisticsCollection.extremes`) it has the ranges of `pot` and `minmax`
/// only, no plot and no clipping or SQNR figures.
public struct TensorRangeReport: Sendable {
    /// One range method's pick.
    public struct Alternative: Sendable {
        public let method: CalibrationMethod
        public let low: Double
        public let high: Double
    }

    public let name: String
    /// The range written (for a per-channel range, its envelope) and whether it is per channel.
    public let low: Double
    public let high: Double
    public let isPerChannel: Bool
    /// Every method's range with the same preset, `pot`, `minmax`, `quantile`, `kl`, `mse`
    /// (without a histogram, the first two).
    public let alternatives: [Alternative]
    /// False when the tensor's histogram was not collected: no plot, clipping or SQNR.
    public let hasHistogram: Bool
    /// The histogram regrouped into `plotBins` equal-width bins from `plotLow` to
    /// `plotHigh` (the values' span and the ranges), for plotting.
    public let plotLow: Double
    public let plotHigh: Double
    public let plotCounts: [UInt64]
    /// The smallest and largest finite value over all images (0 when there is none).
    public let valuesLow: Double
    public let valuesHigh: Double
    /// Share (0...1) of the values outside `[low, high]`.
    public let clippedShare: Double
    /// `10 log10(Σ x² / Σ (x − q(x))²)` over the histogram, with q the 256-level quantizer of
    /// `[low, high]`: clipped values err by their distance to the range, the others by the
    /// uniform rounding error step²/12. Infinite for a tensor of zeros.
    public let estimatedSQNR: Double
    /// Values counted (NaN and infinities aside).
    public let count: UInt64

    public static let plotBins = 160

    /// The report of `statistics`, quantized to `range` by `selector`'s preset;
    /// `hasHistogram` false when `statistics` were collected as extremes.
    public init(name: String, statistics: TensorStatistics, range: ActivationRange, selector: RangeSelector, hasHistogram: Bool = true) {
        self.name = name
        low = Double(range.low)
        high = Double(range.high)
        isPerChannel = range.channels != nil
        self.hasHistogram = hasHistogram
        alternatives = CalibrationMethod.allCases.filter { hasHistogram || !$0.needsHistograms }.map { method in
            let picked = RangeSelector(method: method, preset: selector.preset, outlierProbability: selector.outlierProbability)
                .range(for: statistics)
            return Alternative(method: method, low: Double(picked.low), high: Double(picked.high))
        }
        let histogram = statistics.histogram
        let bins = hasHistogram ? histogram.signedBins() : []
        count = hasHistogram ? histogram.count : 0
        let step = (high - low) / 255
        var signal = 0.0, noise = 0.0, clipped: UInt64 = 0
        for bin in bins {
            let centre = (bin.lower + bin.upper) / 2
            let weight = Double(bin.count)
            signal += weight * centre * centre
            if centre < low || centre > high {
                clipped += bin.count
                let distance = centre < low ? low - centre : centre - high
                noise += weight * distance * distance
            } else {
                noise += weight * step * step / 12
            }
        }
        clippedShare = count > 0 ? Double(clipped) / Double(count) : 0
        estimatedSQNR = noise > 0 ? 10 * log10(signal / noise) : .infinity
        (valuesLow, valuesHigh) = (statistics.minimum ?? 0, statistics.maximum ?? 0)
        let ends = [low, high, valuesLow, valuesHigh] + alternatives.flatMap { [$0.low, $0.high] }
        plotLow = ends.min() ?? 0
        plotHigh = max(ends.max() ?? 1, plotLow + 1e-12)
        var counts = [UInt64](repeating: 0, count: hasHistogram ? Self.plotBins : 0)
        let width = (plotHigh - plotLow) / Double(Self.plotBins)
        for bin in bins {
            let centre = (bin.lower + bin.upper) / 2
            let index = min(max(Int((centre - plotLow) / width), 0), Self.plotBins - 1)
            counts[index] += bin.count
        }
        plotCounts = counts
    }
}
