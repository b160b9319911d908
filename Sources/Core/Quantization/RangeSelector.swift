/// Picks each activation's FakeQuantize range from merged statistics with one method and
/// preset, then gives the inputs of one Concat a shared range. Pure and deterministic:
/// the same statistics always give bit-identical ranges.
///
/// Preset `performance` (symmetric): a tensor whose every per-image minimum is >= 0 is
/// unsigned, `[0, high]`; otherwise `[-high * 128/127, high]` (int8 -128...127 at step
/// high/127). Preset `mixed`: `[low, high]` as measured, widened to contain 0 and shifted
/// so that 0 falls exactly on one of the 256 levels.
public struct RangeSelector: Sendable {
    public let method: CalibrationMethod
    public let preset: QuantizationPreset
    /// For `quantile`: the share of values cut off each end.
    public let outlierProbability: Double

    /// The smallest `high` written, so a tensor that is always zero still gets a valid range.
    static let minimumHigh = 1e-6

    public init(method: CalibrationMethod = .pot, preset: QuantizationPreset = .performance, outlierProbability: Double = 1e-4) {
        self.method = method
        self.preset = preset
        self.outlierProbability = outlierProbability
    }

    /// One range per planned activation, in plan order; `statistics` holds the plan's
    /// activations in the same order.
    public func ranges(plan: QuantizationPlan, statistics: CalibrationStatistics) throws -> [ActivationRange] {
        guard statistics.tensorNames == plan.activations.map(\.name) else {
            throw StatisticsError.mismatch("the statistics were collected for other tensors than this model's plan")
        }
        var ranges = statistics.tensors.map(range(for:))
        var groupRange = [Int: ActivationRange]()
        for (activation, range) in zip(plan.activations, ranges) {
            let shared = groupRange[activation.group] ?? range
            groupRange[activation.group] = ActivationRange(low: min(shared.low, range.low), high: max(shared.high, range.high))
        }
        for (index, activation) in plan.activations.enumerated() {
            ranges[index] = groupRange[activation.group]!
        }
        return ranges
    }

    /// The range of one tensor.
    public func range(for statistics: TensorStatistics) -> ActivationRange {
        let unsigned = statistics.allMinimaNonNegative
        let histogram = statistics.histogram
        let (low, high): (Double, Double)
        switch method {
        case .pot:
            (low, high) = preset == .mixed
                ? (statistics.meanOfMinima(), statistics.meanOfMaxima())
                : (unsigned ? 0 : -statistics.meanOfAbsoluteMaxima(), statistics.meanOfAbsoluteMaxima())
        case .minmax:
            (low, high) = (histogram.minimum ?? 0, histogram.maximum ?? 0)
        case .quantile:
            (low, high) = HistogramThresholds.quantile(histogram, outlierProbability: outlierProbability)
        case .kl:
            let threshold = HistogramThresholds.entropy(histogram)
            (low, high) = (unsigned ? 0 : -threshold, threshold)
        case .mse:
            let threshold = HistogramThresholds.meanSquaredError(histogram, levels: 256, signed: !unsigned)
            (low, high) = (unsigned ? 0 : -threshold, threshold)
        }
        return preset == .mixed ? Self.asymmetric(low: low, high: high) : Self.symmetric(low: low, high: high, unsigned: unsigned)
    }

    static func symmetric(low: Double, high: Double, unsigned: Bool) -> ActivationRange {
        let magnitude = max(abs(low), abs(high), minimumHigh)
        if unsigned { return ActivationRange(low: 0, high: Float(magnitude)) }
        return ActivationRange(low: Float(-magnitude * 256 / 254), high: Float(magnitude))
    }

    static func asymmetric(low: Double, high: Double) -> ActivationRange {
        var lower = min(low, 0)
        var upper = max(high, 0)
        if upper - lower < minimumHigh { upper = lower + minimumHigh }
        let scale = (upper - lower) / 255
        let zeroPoint = (-lower / scale).rounded()
        lower = -zeroPoint * scale
        upper = lower + 255 * scale
        return ActivationRange(low: Float(lower), high: Float(upper))
    }
}
