import Foundation

/// Range pickers that need the whole distribution of a tensor (quantile, TensorRT's
/// entropy calibration, MSE-optimal clipping), run on the merged `ActivationHistogram`
/// instead of raw values, which no process ever holds for the whole calibration set.
/// Each is a pure function of the histogram, so equal histograms give bit-identical
/// thresholds. Inside a bin, values are taken as spread evenly.
public enum HistogramThresholds {
    /// The quantiles at `outlierProbability` and `1 − outlierProbability` of the values:
    /// the range left after cutting that share off each end.
    public static func quantile(_ histogram: ActivationHistogram, outlierProbability: Double) -> (low: Double, high: Double) {
        (histogram.quantile(outlierProbability), histogram.quantile(1 - outlierProbability))
    }

    /// TensorRT-style entropy calibration: the threshold T on |x| whose clipped and
    /// quantized distribution loses the least information (KL divergence).
    ///
    /// |x| of the values that are not zero (see `ActivationHistogram.zeroBound`) is
    /// histogrammed into `bins` linear bins over [0, max|x|]. For every candidate
    /// `i` in `levels...bins`, the reference P is the first `i` bins with everything beyond
    /// added to bin `i − 1`; the candidate Q quantizes the first `i` bins (without that
    /// tail) to `levels` levels: `i / levels` bins a group (the last group takes the
    /// rest), each group's sum spread evenly over its bins where P is not empty. KL(P‖Q)
    /// is summed over the bins where P is not empty; where Q is empty there (a tail added
    /// to an otherwise empty last group), Q is given 10⁻⁴ of a value, TensorRT's smoothing.
    /// The smallest `i` of least divergence gives `T = (i + ½) · max|x| / bins`.
    /// 0 when the histogram has no value other than zero.
    ///
    /// Where the divergence is flat around its minimum (Gaussian-like tails), moving values by
    /// less than a histogram bin can move that minimum by many bins, for raw values as much
    /// as for this histogram: expect agreement with raw values to the bin on ReLU and
    /// heavy-tailed activations, and only in divergence on Gaussian-like ones.
    public static func entropy(_ histogram: ActivationHistogram, bins: Int = 2048, levels: Int = 128) -> Double {
        precondition(levels >= 1 && bins >= levels, "entropy calibration needs 1 <= levels <= bins")
        guard let (magnitudes, largest) = magnitudeBins(histogram) else { return 0 }
        let width = largest / Double(bins)
        // Zeros are left out: every range represents 0 exactly, so they carry nothing about
        // the threshold, and a ReLU output's spike of them in the first bin would make the
        // narrowest candidate win whatever the rest looks like.
        let linear = linearHistogram(magnitudes.filter { $0.lower > 0 }, bins: bins, width: width)
        return (Double(leastDivergentBinCount(linear, levels: levels)) + 0.5) * width
    }

    /// The candidate bin count of least KL divergence (see `entropy`). Sums over bin ranges
    /// come from prefix sums, so each candidate costs `levels` steps, not `i`.
    static func leastDivergentBinCount(_ counts: [Double], levels: Int) -> Int {
        let smoothing = 1e-4
        // Prefix sums of the counts, of c·ln c, and of the number of non-empty bins.
        var sums = [0.0]
        var entropySums = [0.0]
        var nonEmpty = [0]
        for count in counts {
            sums.append(sums.last! + count)
            entropySums.append(entropySums.last! + (count > 0 ? count * log(count) : 0))
            nonEmpty.append(nonEmpty.last! + (count > 0 ? 1 : 0))
        }
        let total = sums.last!
        var best = counts.count
        var bestDivergence = Double.infinity
        for candidate in levels...counts.count {
            let tail = total - sums[candidate]
            let last = counts[candidate - 1] + tail
            let kept = sums[candidate]
            guard kept > 0 else { continue }
            // Σ P ln P over the non-empty bins of P, and Σ P ln Q group by group.
            let pLogP = entropySums[candidate - 1] + (last > 0 ? last * log(last) : 0)
            var pLogQ = 0.0
            var qTotal = 0.0
            let groupWidth = candidate / levels
            for group in 0..<levels {
                let start = group * groupWidth
                let end = group == levels - 1 ? candidate : start + groupWidth
                let groupSum = sums[end] - sums[start]
                // Bins of the group where P is not empty; the last bin of P holds the tail too.
                let innerNonEmpty = nonEmpty[min(end, candidate - 1)] - nonEmpty[start]
                let pInner = sums[min(end, candidate - 1)] - sums[start]
                let holdsLast = end == candidate && last > 0
                let binsOfP = innerNonEmpty + (holdsLast ? 1 : 0)
                guard binsOfP > 0 else { continue }
                let pGroup = pInner + (holdsLast ? last : 0)
                if groupSum > 0 {
                    let q = groupSum / Double(binsOfP)
                    pLogQ += pGroup * log(q)
                    qTotal += groupSum
                } else {
                    pLogQ += pGroup * log(smoothing)
                    qTotal += smoothing * Double(binsOfP)
                }
            }
            // KL(p‖q) with p = P/ΣP and q = Q/ΣQ; ΣP = total.
            let divergence = (pLogP - pLogQ) / total - log(total) + log(qTotal)
            if divergence < bestDivergence {
                bestDivergence = divergence
                best = candidate
            }
        }
        return best
    }

    /// The clipping threshold T on |x| minimising the expected squared error of uniform
    /// quantization with `levels` levels: a value beyond T costs `(|x| − T)²`, one within
    /// T the rounding error `step² / 12`, with `step = 2T / (levels − 2)` when `signed`
    /// (the symmetric range POT writes, `[-T·levels/(levels−2), T]`) and `T / (levels − 1)`
    /// otherwise (`[0, T]`). T is searched over 1000 evenly spaced candidates up to max|x|,
    /// then refined by golden-section search between the neighbours of the best one.
    /// 0 when the histogram has no value other than zero.
    public static func meanSquaredError(_ histogram: ActivationHistogram, levels: Int = 256, signed: Bool) -> Double {
        precondition(levels >= 3, "MSE clipping needs at least 3 levels")
        guard let (magnitudes, largest) = magnitudeBins(histogram) else { return 0 }
        let error = QuantizationError(magnitudes, levels: levels, signed: signed)
        return minimise(error.expected, upTo: largest)
    }

    /// The argument in (0, `largest`] of least `cost`: 1000 evenly spaced candidates, then
    /// golden-section search between the best one's neighbours.
    static func minimise(_ cost: (Double) -> Double, upTo largest: Double) -> Double {
        let candidates = 1000
        var best = 1
        var bestCost = Double.infinity
        for index in 1...candidates {
            let value = cost(largest * Double(index) / Double(candidates))
            if value < bestCost {
                bestCost = value
                best = index
            }
        }
        var low = largest * Double(max(best - 1, 1)) / Double(candidates)
        var high = largest * Double(min(best + 1, candidates)) / Double(candidates)
        let ratio = (5.0.squareRoot() - 1) / 2
        var left = high - ratio * (high - low)
        var right = low + ratio * (high - low)
        var leftCost = cost(left)
        var rightCost = cost(right)
        while high - low > largest * 1e-9 {
            if leftCost <= rightCost {
                (high, right, rightCost) = (right, left, leftCost)
                left = high - ratio * (high - low)
                leftCost = cost(left)
            } else {
                (low, left, leftCost) = (left, right, rightCost)
                right = low + ratio * (high - low)
                rightCost = cost(right)
            }
        }
        let refined = (low + high) / 2
        return cost(refined) < bestCost ? refined : largest * Double(best) / Double(candidates)
    }

    /// The non-empty |x| bins with the top one cut at the exact max|x|, and max|x| (the top
    /// bin's edge if infinite); nil when every value is zero.
    static func magnitudeBins(_ histogram: ActivationHistogram) -> ([(lower: Double, upper: Double, count: UInt64)], Double)? {
        var bins = histogram.absoluteValues()
        guard let exact = histogram.absoluteMaximum, let top = bins.last, top.upper > ActivationHistogram.zeroBound else {
            return nil
        }
        let largest = exact.isFinite ? exact : top.upper
        guard largest > 0 else { return nil }
        bins[bins.count - 1].upper = min(top.upper, largest)
        return (bins, largest)
    }

    /// `magnitudes` spread over `bins` linear bins of width `width` from 0, each bin's count
    /// split in proportion to its overlap with each linear bin.
    static func linearHistogram(_ magnitudes: [(lower: Double, upper: Double, count: UInt64)], bins: Int, width: Double) -> [Double] {
        var linear = [Double](repeating: 0, count: bins)
        for bin in magnitudes {
            let count = Double(bin.count)
            let first = min(Int(bin.lower / width), bins - 1)
            let last = min(Int(bin.upper / width), bins - 1)
            if first == last || bin.upper <= bin.lower {
                linear[first] += count
                continue
            }
            let density = count / (bin.upper - bin.lower)
            for index in first...last {
                let overlap = min(bin.upper, Double(index + 1) * width) - max(bin.lower, Double(index) * width)
                if overlap > 0 { linear[index] += overlap * density }
            }
        }
        return linear
    }
}

/// The expected squared quantization error over a magnitude histogram as a function of the
/// clipping threshold, in O(log bins) per threshold from suffix sums.
private struct QuantizationError {
    private let lowers: [Double]
    private let uppers: [Double]
    private let counts: [Double]
    /// Suffix sums from each bin on: values, Σ x and Σ x² (x even in its bin).
    private let tailCounts: [Double]
    private let tailSums: [Double]
    private let tailSquares: [Double]
    private let stepPerThreshold: Double
    private let total: Double

    init(_ magnitudes: [(lower: Double, upper: Double, count: UInt64)], levels: Int, signed: Bool) {
        lowers = magnitudes.map(\.lower)
        uppers = magnitudes.map(\.upper)
        counts = magnitudes.map { Double($0.count) }
        var tailCounts = [Double](repeating: 0, count: magnitudes.count + 1)
        var tailSums = tailCounts
        var tailSquares = tailCounts
        for index in magnitudes.indices.reversed() {
            let (a, b, c) = (lowers[index], uppers[index], counts[index])
            tailCounts[index] = tailCounts[index + 1] + c
            tailSums[index] = tailSums[index + 1] + c * (a + b) / 2
            tailSquares[index] = tailSquares[index + 1] + c * (a * a + a * b + b * b) / 3
        }
        self.tailCounts = tailCounts
        self.tailSums = tailSums
        self.tailSquares = tailSquares
        total = tailCounts[0]
        stepPerThreshold = signed ? 2 / Double(levels - 2) : 1 / Double(levels - 1)
    }

    /// The mean squared error when clipping at `threshold`.
    func expected(_ threshold: Double) -> Double {
        // The first bin reaching above the threshold.
        var low = 0
        var high = uppers.count
        while low < high {
            let middle = (low + high) / 2
            if uppers[middle] <= threshold { low = middle + 1 } else { high = middle }
        }
        var clippedCount = 0.0
        var clipping = 0.0
        var firstWhole = low
        if low < uppers.count, lowers[low] < threshold {
            // The part of that bin above the threshold: uniform on [threshold, upper).
            let share = (uppers[low] - threshold) / (uppers[low] - lowers[low])
            clippedCount = counts[low] * share
            clipping = clippedCount * (uppers[low] - threshold) * (uppers[low] - threshold) / 3
            firstWhole = low + 1
        }
        let n = tailCounts[firstWhole]
        clippedCount += n
        clipping += tailSquares[firstWhole] - 2 * threshold * tailSums[firstWhole] + threshold * threshold * n
        let step = stepPerThreshold * threshold
        return (clipping + (total - clippedCount) * step * step / 12) / total
    }
}
