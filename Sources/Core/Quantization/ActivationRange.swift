/// The quantization range of one activation tensor: the FakeQuantize's input (and, as POT
/// and NNCF write it, output) low and high, with 256 levels; for a tensor quantized per
/// channel, one such range per channel.
public struct ActivationRange: Sendable, Equatable {
    /// The whole tensor's limits (for a per-channel range, the lowest low and highest high).
    public var low: Float
    public var high: Float
    /// One range per channel along the activation's `channelAxis`, or nil for one range
    /// for the whole tensor.
    public var channels: [ActivationRange]?

    public init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }

    /// A per-channel range (`channels` must not be empty).
    public init(channels: [ActivationRange]) {
        low = channels.map(\.low).min() ?? 0
        high = channels.map(\.high).max() ?? 0
        self.channels = channels
    }

    /// True when the range starts at zero: the tensor is quantized as u8.
    public var isUnsigned: Bool { low == 0 }
}
