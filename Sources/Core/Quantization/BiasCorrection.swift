/// FastBiasCorrection's arithmetic: for each layer of a `BiasCorrectionPlan`, the bias
/// shift that gives the layer with its int8 weights the per-channel mean output of the
/// FP32 layer. Pure and deterministic: the same statistics always give bit-identical
/// biases.
///
/// Both means are those of the layer fed a blob whose input channel c holds the FP32
/// mean of channel c everywhere (zero padding at the borders), as NNCF's sub-graph does
/// (domain.md §7): `shift = layer_fp32(blob) - layer_int8(blob)`, the expected error
/// `(W - W_q) E[x]` of the quantized weights. NNCF subtracts `layer_int8(blob)` from the
/// *measured* FP32 output mean instead, which also adds the blob's own approximation
/// error (feature maps are not uniform: borders, stride phase) to the shift. Measured on
/// the example model at 300x300, that error was about ten times the quantization error,
/// and NNCF's shifts moved the int8 means away from FP32; the difference of two blob means
/// cancels it. The blob enters the layer after its input's FakeQuantize, as in NNCF.
/// A layer is left alone, as NNCF does, when some bias is exactly 0 or the relative
/// change reaches `maximumRelativeChange`.
public enum BiasCorrection {
    /// What correcting one layer gives.
    public struct Outcome: Sendable, Equatable {
        /// The corrected layer of the plan.
        public let layer: BiasCorrectionPlan.Layer
        /// `bias + shift`, one value per output channel.
        public let correctedBias: [Float]
        /// `max_c |shift_c / bias_c|` (infinity when some bias is exactly 0).
        public let largestRelativeChange: Double
        /// False when the correction is skipped: some bias is exactly 0 or the relative
        /// change reaches `maximumRelativeChange` (NNCF's rule).
        public let isApplied: Bool
    }

    /// The relative bias change at or above which a layer is left as it is.
    public static let maximumRelativeChange = 2.0

    /// The correction of every layer of `correction` whose input means are in
    /// `statistics`, in plan order.
    /// - Throws: `IRError` when a weight, bias or attribute cannot be read.
    public static func outcomes(
        graph: IRGraph, plan: QuantizationPlan, correction: BiasCorrectionPlan, statistics: CalibrationStatistics
    ) throws -> [Outcome] {
        try correction.layers.compactMap { entry in
            guard let figures = statistics.channelFigures(named: correction.meanTensors[entry.inputMeans].name) else { return nil }
            let inputMeans = figures.mean()
            let layer = try graph.requireLayer(entry.layer)
            let weight = plan.weights[entry.weight]
            let view = try graph.constView(weight.constant)
            let weights = try view.floats(in: graph.weights)
            let quantizer = WeightQuantizer(
                weights: weights, shape: view.shape,
                channelAxes: WeightQuantizer.outputChannelAxes(
                    layerType: layer.type, rank: view.shape.count, transposeB: layer.attribute("transpose_b") == "true"),
                isFirstLayer: weight.isFirstLayer)
            guard let fp32 = try blobOutputMeans(of: layer, weights: weights, shape: view.shape, inputMeans: inputMeans),
                let int8 = try blobOutputMeans(of: layer, weights: quantizer.dequantized(), shape: view.shape, inputMeans: inputMeans)
            else { return nil }
            let bias = try graph.constView(entry.biasConstant).floats(in: graph.weights)
            guard bias.count == fp32.count else { return nil }
            var corrected = [Float]()
            var largest = 0.0
            for channel in bias.indices {
                let shift = fp32[channel] - int8[channel]
                corrected.append(Float(Double(bias[channel]) + shift))
                largest = max(largest, bias[channel] == 0 ? .infinity : abs(shift / Double(bias[channel])))
            }
            let finite = corrected.allSatisfy(\.isFinite)
            return Outcome(
                layer: entry, correctedBias: corrected, largestRelativeChange: largest,
                isApplied: finite && largest < maximumRelativeChange)
        }
    }

    /// The per-output-channel mean of `layer` with `weights` (of `shape`, row-major), fed
    /// a blob whose input channel c holds `inputMeans[c]` everywhere; nil for a layout it
    /// does not cover.
    static func blobOutputMeans(of layer: Layer, weights w: [Float], shape: [Int], inputMeans: [Double]) throws -> [Double]? {
        switch layer.type {
        case "Convolution":
            guard shape.count == 4, let input = layer.inputs.first?.dims, let output = layer.outputs.first?.dims,
                input.count == 4, output.count == 4, shape[1] == inputMeans.count
            else { return nil }
            let strides = try layer.ints("strides"), pads = try layer.ints("pads_begin")
            let dilations = (try? layer.ints("dilations")) ?? [1, 1]
            guard strides.count == 2, pads.count == 2, dilations.count == 2 else { return nil }
            let rows = tapCoverage(
                taps: shape[2], inputSize: input[2], outputSize: output[2], stride: strides[0], padding: pads[0], dilation: dilations[0])
            let columns = tapCoverage(
                taps: shape[3], inputSize: input[3], outputSize: output[3], stride: strides[1], padding: pads[1], dilation: dilations[1])
            let (outputs, inputs, kernelH, kernelW) = (shape[0], shape[1], shape[2], shape[3])
            return (0..<outputs).map { o in
                var sum = 0.0
                for c in 0..<inputs {
                    var taps = 0.0
                    for kh in 0..<kernelH {
                        for kw in 0..<kernelW {
                            taps += Double(w[((o * inputs + c) * kernelH + kh) * kernelW + kw]) * rows[kh] * columns[kw]
                        }
                    }
                    sum += inputMeans[c] * taps
                }
                return sum
            }
        case "MatMul":
            guard shape.count == 2 else { return nil }
            let transposed = layer.attribute("transpose_b") == "true"
            let (rows, columns) = transposed ? (shape[1], shape[0]) : (shape[0], shape[1])
            guard rows == inputMeans.count else { return nil }
            return (0..<columns).map { n in
                (0..<rows).reduce(0.0) { sum, k in
                    sum + inputMeans[k] * Double(w[transposed ? n * rows + k : k * columns + n])
                }
            }
        default:
            return nil
        }
    }

    /// For each kernel tap along one axis, the share of output positions at which it reads
    /// inside the input rather than the zero padding.
    static func tapCoverage(taps: Int, inputSize: Int, outputSize: Int, stride: Int, padding: Int, dilation: Int) -> [Double] {
        (0..<taps).map { tap in
            let inside = (0..<outputSize).filter { position in
                let read = position * stride - padding + tap * dilation
                return read >= 0 && read < inputSize
            }.count
            return outputSize > 0 ? Double(inside) / Double(outputSize) : 0
        }
    }
}
