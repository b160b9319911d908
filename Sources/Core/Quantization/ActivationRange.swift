/// The quantization range of one activation tensor: the FakeQuantize's input (and, as POT
/// and NNCF write it, output) low and high, with 256 levels.
public struct ActivationRange: Sendable, Equatable {
    public var low: Float
    public var high: Float

    public init(low: Float, high: Float) {
        self.low = low
        self.high = high
    }

    /// True when the range starts at zero: the tensor is quantized as u8.
    public var isUnsigned: Bool { low == 0 }
}
