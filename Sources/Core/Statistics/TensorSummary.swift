/// Minimum, maximum, mean and spread of a tensor's finite values, and how many values
/// were not finite, mergeable across tensors. Used to show that activations stay in a
/// sensible range through a model, and where they stop being numbers.
public struct TensorSummary: Sendable, Equatable {
    /// Finite values summarised.
    public private(set) var count = 0
    /// NaN and infinite values, left out of every other figure.
    public private(set) var nonFiniteCount = 0
    /// The smallest finite value; +infinity while `count` is 0.
    public private(set) var minimum = Float.infinity
    /// The largest finite value; -infinity while `count` is 0.
    public private(set) var maximum = -Float.infinity
    private var sum = 0.0
    private var sumOfSquares = 0.0

    public init() {}

    /// Summary of `values`.
    public init(_ values: UnsafeBufferPointer<Float>) {
        var low = Float.infinity
        var high = -Float.infinity
        var sum = 0.0
        var squares = 0.0
        var finite = 0
        // Accumulate in Float over short runs, Double across them: fast and accurate enough for a report.
        var start = 0
        while start < values.count {
            let end = min(start + 4096, values.count)
            var partial: Float = 0
            var partialSquares: Float = 0
            for index in start..<end {
                let value = values[index]
                guard value.isFinite else { continue }
                finite += 1
                low = min(low, value)
                high = max(high, value)
                partial += value
                partialSquares += value * value
            }
            sum += Double(partial)
            squares += Double(partialSquares)
            start = end
        }
        count = finite
        nonFiniteCount = values.count - finite
        minimum = low
        maximum = high
        self.sum = sum
        sumOfSquares = squares
    }

    /// Combines two summaries as if their values had been summarised together.
    public mutating func merge(_ other: TensorSummary) {
        count += other.count
        nonFiniteCount += other.nonFiniteCount
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
        sum += other.sum
        sumOfSquares += other.sumOfSquares
    }

    /// The mean of the finite values; 0 without any.
    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    /// The standard deviation of the finite values; 0 without any.
    public var standardDeviation: Double {
        guard count > 0 else { return 0 }
        return max(sumOfSquares / Double(count) - mean * mean, 0).squareRoot()
    }
}
