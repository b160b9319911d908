/// How activation ranges are picked from the merged statistics.
public enum CalibrationMethod: String, Sendable, CaseIterable {
    /// POT / NNCF DefaultQuantization: the mean over images of per-image extremes.
    case pot
    /// The extremes over all images.
    case minmax
    /// Quantiles of all values, cutting `outlierProbability` off each end.
    case quantile
    /// TensorRT's entropy calibration: the threshold minimising KL divergence, with zeros
    /// left out and 256 levels for an unsigned tensor, 128 for a signed one
    /// (`HistogramThresholds.entropy`).
    case kl
    /// The clipping threshold minimising the mean squared quantization error.
    case mse
}

/// POT's presets: symmetric activations (`performance`) or asymmetric ones (`mixed`).
public enum QuantizationPreset: String, Sendable, CaseIterable {
    case performance
    case mixed
}
