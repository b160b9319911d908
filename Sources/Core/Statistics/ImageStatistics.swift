/// The figures POT and NNCF take from one image's activation tensor: its minimum and
/// maximum. Ranges are means of these over images, so they are kept per image.
public struct ImageStatistics: Sendable, Equatable {
    /// The smallest value (NaN ignored, zero as +0).
    public var minimum: Float
    /// The largest value (NaN ignored, zero as +0).
    public var maximum: Float

    public init(minimum: Float, maximum: Float) {
        self.minimum = minimum
        self.maximum = maximum
    }

    /// The largest magnitude, POT's per-image `absmax`.
    public var absoluteMaximum: Float { max(-minimum, maximum) }
}
