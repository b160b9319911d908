/// Symmetric per-output-channel weight quantization as POT/NNCF do it for CPU (domain.md
/// §3): 255 levels (int8 -127...127), `high_c = max(absmax_c, 8e-5, 0.01 * max absmax)`
/// so near-empty filters keep a usable scale. The first layer's range is doubled (POT's
/// saturation fix): its weights use only -64...64, 7 bits, so int8 products cannot
/// saturate VNNI accumulation, while the FakeQuantize keeps the 255 levels int8 kernels need.
public struct WeightQuantizer: Sendable {
    /// The integer weights, same layout as the float ones.
    public let values: [Int8]
    /// One scale per output channel (a single one for MatMul): float = int * scale.
    public let scales: [Float]
    /// The shape of the scale tensor, broadcastable against the weights.
    public let scaleShape: [Int]
    /// The per-channel `high` (the FakeQuantize range is `[-high, high]`), doubled for the first layer.
    public let highs: [Float]
    /// FakeQuantize levels of weights.
    public static let levels = 255

    /// Quantizes the weights of a `layerType` op with weight `shape`.
    public init(weights: [Float], shape: [Int], layerType: String, isFirstLayer: Bool) {
        let channelDims: Int
        switch layerType {
        case "Convolution": channelDims = 1
        case "GroupConvolution": channelDims = 2
        default: channelDims = 0
        }
        let channels = shape.prefix(channelDims).reduce(1, *)
        let perChannel = channels > 0 ? weights.count / channels : 0
        var absoluteMaxima = [Float](repeating: 0, count: channels)
        for channel in 0..<channels {
            var maximum: Float = 0
            for index in (channel * perChannel)..<((channel + 1) * perChannel) {
                maximum = max(maximum, abs(weights[index]))
            }
            absoluteMaxima[channel] = maximum
        }
        let overall = absoluteMaxima.max() ?? 0
        let floor = max(Float(8e-5), 0.01 * overall)
        highs = absoluteMaxima.map { max($0, floor) * (isFirstLayer ? 2 : 1) }
        let largest = Float((Self.levels - 1) / 2)
        scales = highs.map { $0 / largest }
        var quantized = [Int8](repeating: 0, count: weights.count)
        for channel in 0..<channels {
            let scale = scales[channel]
            for index in (channel * perChannel)..<((channel + 1) * perChannel) {
                let step = (weights[index] / scale).rounded(.toNearestOrEven)
                quantized[index] = Int8(min(max(step, -largest), largest))
            }
        }
        values = quantized
        scaleShape = Array(shape.prefix(channelDims)) + Array(repeating: 1, count: shape.count - channelDims)
    }
}
