/// The figures POT and NNCF take from one image's activation tensor: its minimum and
/// maximum. Ranges are means of these over images, so they are kept per image.
public struct ImageStatistics: Sendable, Equatable {
    /// The smallest finite value (NaN and infinities ignored, zero as +0); +infinity when
    /// the image had no finite value.
    public var minimum: Float
    /// The largest finite value (NaN and infinities ignored, zero as +0); -infinity when
    /// the image had no finite value.
    public var maximum: Float

    public init(minimum: Float, maximum: Float) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// An image whose tensor held no finite value: it takes no part in any mean.
    public static let empty = ImageStatistics(minimum: .infinity, maximum: -.infinity)

    /// False for `empty`: the image had at least one finite value.
    public var hasValues: Bool { minimum <= maximum }

    /// The largest magnitude, POT's per-image `absmax`.
    public var absoluteMaximum: Float { max(-minimum, maximum) }

    /// Both images' values together.
    func combined(with other: ImageStatistics) -> ImageStatistics {
        ImageStatistics(minimum: min(minimum, other.minimum), maximum: max(maximum, other.maximum))
    }
}
