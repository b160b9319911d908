/// Why statistics could not be merged or read.
public enum StatisticsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The same image is in both statistics being merged: counting it twice would bias
    /// every range, so the caller has to drop one copy first. `tensor` is nil when the
    /// statistics do not know the tensor's name.
    case duplicateImage(tensor: String?, image: Int)
    /// Statistics of different models or tensors, or otherwise not belonging together.
    case mismatch(String)
    /// The data does not start with the statistics file magic.
    case notStatisticsFile
    /// The file was written in a format version this build does not read.
    case unsupportedVersion(found: UInt32, supported: UInt32)
    /// The file is truncated or holds invalid values.
    case malformed(BinaryCodingError)
    /// Tensor `tensor` had no finite value in any image (`nan` NaNs, `infinite`
    /// infinities): no range can be picked for it.
    case noFiniteValues(tensor: String, nan: UInt64, infinite: UInt64)

    public var description: String {
        switch self {
        case let .duplicateImage(tensor?, image):
            "image \(image) is in both statistics of tensor \(tensor); each image must be merged once"
        case let .duplicateImage(nil, image):
            "image \(image) is in both statistics; each image must be merged once"
        case let .mismatch(reason):
            "statistics do not match: \(reason)"
        case .notStatisticsFile:
            "not a calib statistics file (no CALIBSTATS magic)"
        case let .unsupportedVersion(found, supported):
            "statistics file format version \(found) is not supported (this build reads version \(supported))"
        case let .malformed(error):
            "malformed statistics file: \(error)"
        case let .noFiniteValues(tensor, nan, infinite):
            "tensor \(tensor) has no finite value in any calibration image (\(nan) NaN, \(infinite) infinite): "
                + "no range can be picked; check the model and its input, or leave the layer in float with --ignored"
        }
    }
}
