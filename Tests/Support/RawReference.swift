import Foundation

/// The same pickers computed straight from raw values, written independently of the
/// histogram versions but with the same conventions.
public enum RawReference {
    /// Linear interpolation between order statistics at rank q·(n − 1).
    public static func quantile(sorted: [Double], _ q: Double) -> Double {
        let rank = q * Double(sorted.count - 1)
        let below = Int(rank.rounded(.down))
        guard below + 1 < sorted.count else { return sorted[below] }
        return sorted[below] + (rank - Double(below)) * (sorted[below + 1] - sorted[below])
    }

    /// The 2048-bin |x| histogram over [0, max|x|] of the values that are not zero (|x| of
    /// 2⁻⁴⁰ or more, the histogram's zero bound), and its bin width: the KL search's input.
    public static func magnitudeHistogram(_ values: [Float], bins: Int = 2048) -> (counts: [Double], width: Double) {
        var largest = 0.0
        for value in values { largest = max(largest, abs(Double(value))) }
        let width = largest / Double(bins)
        var counts = [Double](repeating: 0, count: bins)
        for value in values where abs(Double(value)) >= 0x1p-40 { counts[min(Int(abs(Double(value)) / width), bins - 1)] += 1 }
        return (counts, width)
    }

    /// KL(P‖Q) of keeping the first `kept` bins, computed bin by bin.
    public static func divergence(_ counts: [Double], kept: Int, levels: Int) -> Double {
        var p = [Double](repeating: 0, count: kept)
        for index in 0..<counts.count { p[min(index, kept - 1)] += counts[index] }
        var q = [Double](repeating: 0, count: kept)
        let width = kept / levels
        for group in 0..<levels {
            let start = group * width
            let end = group == levels - 1 ? kept : start + width
            var sum = 0.0
            var nonEmpty = 0
            for index in start..<end {
                sum += counts[index]
                if p[index] > 0 { nonEmpty += 1 }
            }
            for index in start..<end where p[index] > 0 {
                q[index] = sum > 0 ? sum / Double(nonEmpty) : 1e-4
            }
        }
        var pTotal = 0.0
        var qTotal = 0.0
        for index in 0..<kept {
            pTotal += p[index]
            qTotal += q[index]
        }
        var divergence = 0.0
        for index in 0..<kept where p[index] > 0 {
            let share = p[index] / pTotal
            divergence += share * log(share / (q[index] / qTotal))
        }
        return divergence
    }

    /// The number of kept bins of least divergence, trying every candidate.
    public static func leastDivergent(_ counts: [Double], levels: Int = 128) -> Int {
        var best = counts.count
        var bestDivergence = Double.infinity
        for kept in levels...counts.count {
            let divergence = divergence(counts, kept: kept, levels: levels)
            if divergence < bestDivergence {
                bestDivergence = divergence
                best = kept
            }
        }
        return best
    }

    /// The MSE-optimal clipping threshold over the raw values: the same 1000-point grid and
    /// golden-section refinement, the error summed over the sorted magnitudes.
    public static func meanSquaredError(sortedValues: [Double], levels: Int = 256, signed: Bool) -> Double {
        let sorted = sortedValues.map(abs).sorted()
        var sums = [Double](repeating: 0, count: sorted.count + 1)
        var squares = sums
        for index in sorted.indices.reversed() {
            sums[index] = sums[index + 1] + sorted[index]
            squares[index] = squares[index + 1] + sorted[index] * sorted[index]
        }
        let stepFactor = signed ? 2 / Double(levels - 2) : 1 / Double(levels - 1)
        func cost(_ threshold: Double) -> Double {
            var low = 0
            var high = sorted.count
            while low < high {
                let middle = (low + high) / 2
                if sorted[middle] <= threshold { low = middle + 1 } else { high = middle }
            }
            let clipped = Double(sorted.count - low)
            let clipping = squares[low] - 2 * threshold * sums[low] + threshold * threshold * clipped
            let step = stepFactor * threshold
            return (clipping + Double(low) * step * step / 12) / Double(sorted.count)
        }
        let largest = sorted.last!
        let grid = (1...1000).map { largest * Double($0) / 1000 }
        let best = grid.indices.min { cost(grid[$0]) < cost(grid[$1]) }!
        var low = grid[max(best - 1, 0)]
        var high = grid[min(best + 1, grid.count - 1)]
        let ratio = (5.0.squareRoot() - 1) / 2
        while high - low > largest * 1e-9 {
            let left = high - ratio * (high - low)
            let right = low + ratio * (high - low)
            if cost(left) <= cost(right) { high = right } else { low = left }
        }
        let refined = (low + high) / 2
        return cost(refined) < cost(grid[best]) ? refined : grid[best]
    }
}
