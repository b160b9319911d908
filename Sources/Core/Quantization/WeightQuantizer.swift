/// Symmetric per-output-channel weight quantization as POT/NNCF do it for CPU (domain.md
/// §3, §6): 255 levels (int8 -127...127), `high_c = max(absmax_c, 8e-5, 0.01 * max absmax)`
/// so near-empty filters keep a usable scale. The first layer's range is doubled (POT's
/// and NNCF's saturation fix): step `2 high_c / 127`, integers clipped to -63...63 (7 bits,
/// as NNCF writes them), so int8 products cannot saturate VNNI accumulation, while the
/// FakeQuantize keeps the 255 levels int8 kernels need.
public struct WeightQuantizer: Sendable {
    /// The integer weights, same layout as the float ones.
    public let values: [Int8]
    /// One scale per output channel, in the order of the channel axes: float = int * scale.
    public let scales: [Float]
    /// The shape of the scale tensor, broadcastable against the weights: the weight
    /// shape with every axis but the output-channel ones set to 1.
    public let scaleShape: [Int]
    /// The per-channel `high` (the FakeQuantize range is `[-high, high]`), doubled for the first layer.
    public let highs: [Float]
    /// FakeQuantize levels of weights.
    public static let levels = 255
    /// The weights' shape.
    public let shape: [Int]
    /// The output-channel axes the scales run along.
    public let channelAxes: [Int]

    /// The axes of a weight of rank `rank` that index output channels, per domain.md §6:
    /// Convolution `[O,I,kh,kw]` axis 0; GroupConvolution `[G,O/G,I/G,kh,kw]` axes 0, 1;
    /// ConvolutionBackpropData `[I,O,kh,kw]` axis 1; GroupConvolutionBackpropData
    /// `[G,I/G,O/G,kh,kw]` axes 0, 2; MatMul the last axis, or the one before it with
    /// `transposeB`; none (one scale) for 1-D weights and other ops.
    public static func outputChannelAxes(layerType: String, rank: Int, transposeB: Bool = false) -> [Int] {
        switch layerType {
        case "Convolution": [0]
        case "GroupConvolution": [0, 1]
        case "ConvolutionBackpropData": [1]
        case "GroupConvolutionBackpropData": [0, 2]
        case "MatMul" where rank >= 2: [transposeB ? rank - 2 : rank - 1]
        default: []
        }
    }

    /// Quantizes `weights` of `shape` with one scale per index of the `channelAxes`
    /// (ascending; none gives one scale for the whole tensor).
    public init(weights: [Float], shape: [Int], channelAxes: [Int], isFirstLayer: Bool) {
        precondition(channelAxes.allSatisfy(shape.indices.contains), "channel axes \(channelAxes) outside shape \(shape)")
        self.shape = shape
        self.channelAxes = channelAxes
        scaleShape = shape.indices.map { channelAxes.contains($0) ? shape[$0] : 1 }
        let channelOf = Self.channelIndex(shape: shape, channelAxes: channelAxes)
        let channels = scaleShape.reduce(1, *)
        var absoluteMaxima = [Float](repeating: 0, count: channels)
        for (index, weight) in weights.enumerated() {
            let channel = channelOf(index)
            absoluteMaxima[channel] = max(absoluteMaxima[channel], abs(weight))
        }
        let overall = absoluteMaxima.max() ?? 0
        let floor = max(Float(8e-5), 0.01 * overall)
        let highs = absoluteMaxima.map { max($0, floor) * (isFirstLayer ? 2 : 1) }
        let levelsEachSide = Float((Self.levels - 1) / 2)
        let largest: Float = isFirstLayer ? 63 : levelsEachSide
        let scales = highs.map { $0 / levelsEachSide }
        // The FakeQuantize formula (domain.md §3) over [-high, high] with 255 levels, in f32 as
        // OpenVINO folds a weight FakeQuantize: a tie such as high / 2 rounds to even on the
        // shifted level (190.5 -> 190, i.e. 63), not on the signed one (63.5 -> 64).
        values = weights.enumerated().map { index, weight in
            let high = highs[channelOf(index)]
            let level = ((weight + high) / (high + high) * Float(Self.levels - 1)).rounded(.toNearestOrEven)
            return Int8(min(max(level - levelsEachSide, -largest), largest))
        }
        self.highs = highs
        self.scales = scales
    }

    /// The weights as the int8 model computes with them: each integer times its channel's scale.
    public func dequantized() -> [Float] {
        let channelOf = Self.channelIndex(shape: shape, channelAxes: channelAxes)
        return values.enumerated().map { index, value in Float(value) * scales[channelOf(index)] }
    }

    /// Maps a flat (row-major) weight index to its channel's position in the scale tensor.
    private static func channelIndex(shape: [Int], channelAxes: [Int]) -> (Int) -> Int {
        var strides = [Int](repeating: 1, count: shape.count)
        for axis in shape.indices.reversed().dropFirst() { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        var scaleStrides = [Int](repeating: 0, count: shape.count)
        var step = 1
        for axis in channelAxes.reversed() {
            scaleStrides[axis] = step
            step *= shape[axis]
        }
        let axes = channelAxes.map { (stride: strides[$0], size: shape[$0], scaleStride: scaleStrides[$0]) }
        return { index in axes.reduce(0) { $0 + (index / $1.stride % $1.size) * $1.scaleStride } }
    }
}
