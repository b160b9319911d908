/// What workers take from each probed tensor per image, chosen by what the job needs.
///
/// - `extremes`: the tensor's minimum and maximum, reduced inside the graph
///   (`ReduceMin`, `ReduceMax`, and a `ReduceSum` that shows whether every value was
///   finite), so three floats per image come out instead of the whole tensor and the
///   plugin keeps its own layouts. Enough for methods `pot` and `minmax`. An image whose
///   tensor held a NaN or an infinity is inferred again with whole tensors, so that its
///   extremes leave those values out and they are counted exactly, as in `histograms`.
/// - `histograms`: every tensor whole (948 MB per image for ssd-resnet34 at 1200x1200),
///   copied out of the plugin channels last (`ActivationProbe.Output.whole`) and binned: needed by `quantile`, `kl` and `mse`, by
///   `--save-stats` (to pick ranges with any method later) and by the report's plots.
///
/// Both give the same per-image extremes bit for bit, so `pot` and `minmax` ranges do
/// not depend on the choice.
public enum StatisticsCollection: String, Sendable, CaseIterable {
    case extremes
    case histograms

    /// The cheaper collection that still serves `method`, saving statistics for later
    /// (`savingStatistics`) and histograms asked for by the user (`histogramsRequested`).
    public static func needed(for method: CalibrationMethod, savingStatistics: Bool, histogramsRequested: Bool) -> Self {
        savingStatistics || histogramsRequested || method.needsHistograms ? .histograms : .extremes
    }
}

extension CalibrationMethod {
    /// True for the methods that pick a range from the whole distribution.
    public var needsHistograms: Bool {
        switch self {
        case .pot, .minmax: false
        case .quantile, .kl, .mse: true
        }
    }
}
