/// Picks each activation's FakeQuantize range from merged statistics with one method and
/// preset, then gives the inputs of one Concat a shared range. Pure and deterministic:
/// the same statistics always give bit-identical ranges.
///
/// Preset `performance` (symmetric): a tensor whose every per-image minimum is >= 0 is
/// unsigned, `[0, high]`; otherwise `[-high * 128/127, high]` (int8 -128...127 at step
/// high/127). Preset `mixed`: `[low, high]` as measured, widened to contain 0 and shifted
/// so that 0 falls exactly on one of the 256 levels.
///
/// An activation the plan quantizes per channel (the input of depthwise convolutions)
/// gets, with methods `pot` and `minmax`, one range per channel from the global minimum
/// and maximum of each channel over all images (NNCF's MINMAX for per-channel
/// activations), signed or unsigned as the whole tensor; the histogram methods, which
/// keep one histogram per tensor, give it one range.
///
/// Only finite values count (NaN and infinities are left out of the statistics), and
/// every limit written is finite: magnitudes are capped so that even the signed low
/// `-high * 256/254` fits a `Float`.
public struct RangeSelector: Sendable {
    public let method: CalibrationMethod
    public let preset: QuantizationPreset
    /// For `quantile`: the share of values cut off each end.
    public let outlierProbability: Double

    /// The smallest `high` written, so a tensor that is always zero still gets a valid range.
    static let minimumHigh = 1e-6
    /// The largest magnitude written, so that `-high * 256/254` is still a finite `Float`.
    static let maximumMagnitude = Double(Float.greatestFiniteMagnitude) * 254 / 256

    public init(method: CalibrationMethod = .pot, preset: QuantizationPreset = .performance, outlierProbability: Double = 1e-4) {
        self.method = method
        self.preset = preset
        self.outlierProbability = outlierProbability
    }

    /// One range per planned activation, in plan order; `statistics` holds the plan's
    /// activations in the same order, and the per-channel extremes of its per-channel
    /// activations (`ChannelReduction.collected`). Throws `StatisticsError.mismatch` for
    /// statistics of other tensors and `.noFiniteValues` naming a tensor that never had a
    /// finite value.
    public func ranges(plan: QuantizationPlan, statistics: CalibrationStatistics) throws -> [ActivationRange] {
        guard statistics.tensorNames == plan.activations.map(\.name) else {
            throw StatisticsError.mismatch("the statistics were collected for other tensors than this model's plan")
        }
        var ranges = try zip(statistics.tensorNames, statistics.tensors).map { name, tensor in
            guard tensor.hasFiniteValues else {
                throw StatisticsError.noFiniteValues(tensor: name, nan: tensor.histogram.nanCount, infinite: tensor.histogram.infinityCount)
            }
            return range(for: tensor)
        }
        for (index, activation) in plan.activations.enumerated() where activation.channelAxis != nil {
            if [.pot, .minmax].contains(method) {
                ranges[index] = try channelRange(of: activation, unsigned: statistics.tensors[index].allMinimaNonNegative, in: statistics)
            }
        }
        var groupRange = [Int: ActivationRange]()
        var members = [Int: Int]()
        for (activation, range) in zip(plan.activations, ranges) {
            let shared = groupRange[activation.group] ?? range
            groupRange[activation.group] = ActivationRange(low: min(shared.low, range.low), high: max(shared.high, range.high))
            members[activation.group, default: 0] += 1
        }
        for (index, activation) in plan.activations.enumerated() where members[activation.group]! > 1 {
            ranges[index] = groupRange[activation.group]!
        }
        return ranges
    }

    /// The per-channel range of `activation` from the global per-channel extremes.
    private func channelRange(
        of activation: QuantizationPlan.Activation, unsigned: Bool, in statistics: CalibrationStatistics
    ) throws -> ActivationRange {
        let names = [ChannelReduction.Kind.minimum, .maximum].map { "\(activation.name)/\($0.rawValue)" }
        guard let minima = statistics.channelFigures(named: names[0])?.minimum(),
            let maxima = statistics.channelFigures(named: names[1])?.maximum(), !minima.isEmpty, minima.count == maxima.count
        else {
            throw StatisticsError.mismatch("the statistics have no per-channel minima and maxima of \(activation.name)")
        }
        return ActivationRange(
            channels: zip(minima, maxima).map { low, high in
                preset == .mixed ? Self.asymmetric(low: low, high: high) : Self.symmetric(low: low, high: high, unsigned: unsigned)
            })
    }

    /// The range of one tensor (finite; the minimum range for a tensor without finite values).
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
            (low, high) = (statistics.minimum ?? 0, statistics.maximum ?? 0)
        case .quantile:
            (low, high) = HistogramThresholds.quantile(histogram, outlierProbability: outlierProbability)
        case .kl:
            let threshold = HistogramThresholds.entropy(histogram, levels: unsigned ? 256 : 128)
            (low, high) = (unsigned ? 0 : -threshold, threshold)
        case .mse:
            let threshold = HistogramThresholds.meanSquaredError(histogram, levels: 256, signed: !unsigned)
            (low, high) = (unsigned ? 0 : -threshold, threshold)
        }
        return preset == .mixed ? Self.asymmetric(low: low, high: high) : Self.symmetric(low: low, high: high, unsigned: unsigned)
    }

    static func symmetric(low: Double, high: Double, unsigned: Bool) -> ActivationRange {
        let magnitude = min(max(abs(low).finiteOrZero, abs(high).finiteOrZero, minimumHigh), maximumMagnitude)
        if unsigned { return ActivationRange(low: 0, high: Float(magnitude)) }
        return ActivationRange(low: Float(-magnitude * 256 / 254), high: Float(magnitude))
    }

    static func asymmetric(low: Double, high: Double) -> ActivationRange {
        // Half the Float range each way keeps `upper - lower`, and so every level, finite.
        let bound = Double(Float.greatestFiniteMagnitude) / 2
        var lower = max(min(low.finiteOrZero, 0), -bound)
        var upper = min(max(high.finiteOrZero, 0), bound)
        if upper - lower < minimumHigh { upper = lower + minimumHigh }
        let scale = (upper - lower) / 255
        let zeroPoint = (-lower / scale).rounded()
        lower = -zeroPoint * scale
        upper = lower + 255 * scale
        return ActivationRange(low: Float(lower), high: Float(upper))
    }
}

extension Double {
    /// The value, or 0 for NaN and infinities: a statistic that is not a number cannot
    /// widen a range.
    fileprivate var finiteOrZero: Double { isFinite ? self : 0 }
}
