/// The resampling filters calibration pipelines use when scaling images to the network
/// input: MLPerf's harnesses resize bilinearly, POT's configuration bicubically.
public enum Interpolation: String, Sendable, CaseIterable {
    /// Two-tap linear filter per axis (OpenCV `INTER_LINEAR`).
    case bilinear
    /// Four-tap Keys cubic filter with a = -0.75 per axis (OpenCV `INTER_CUBIC`).
    case bicubic
}
