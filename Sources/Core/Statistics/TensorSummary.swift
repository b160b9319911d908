/// Minimum, maximum, mean and spread of a tensor's values, mergeable across tensors.
/// Used to show that activations stay in a sensible range through a model.
public struct TensorSummary: Sendable, Equatable {
    public private(set) var count = 0
    public private(set) var minimum = Float.infinity
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
        // Accumulate in Float over short runs, Double across them: fast and accurate enough for a report.
        var start = 0
        while start < values.count {
            let end = min(start + 4096, values.count)
            var partial: Float = 0
            var partialSquares: Float = 0
            for index in start..<end {
                let value = values[index]
                low = min(low, value)
                high = max(high, value)
                partial += value
                partialSquares += value * value
            }
            sum += Double(partial)
            squares += Double(partialSquares)
            start = end
        }
        count = values.count
        minimum = low
        maximum = high
        self.sum = sum
        sumOfSquares = squares
    }

    /// Combines two summaries as if their values had been summarised together.
    public mutating func merge(_ other: TensorSummary) {
        count += other.count
        minimum = min(minimum, other.minimum)
        maximum = max(maximum, other.maximum)
        sum += other.sum
        sumOfSquares += other.sumOfSquares
    }

    public var mean: Double { count == 0 ? 0 : sum / Double(count) }

    public var standardDeviation: Double {
        guard count > 0 else { return 0 }
        return max(sumOfSquares / Double(count) - mean * mean, 0).squareRoot()
    }
}
