/// A per-channel figure of one tensor that calibration computes inside the graph (a
/// `ReduceMean`, `ReduceMin` or `ReduceMax` over every axis but the batch axis 0 and the
/// channel axis), so a few floats per image come out instead of the whole tensor:
/// FastBiasCorrection's input means (domain.md §7) and the per-channel extremes of
/// activations quantized per channel (the inputs of depthwise convolutions, §6).
public struct ChannelReduction: Sendable, Equatable {
    /// What is computed per channel.
    public enum Kind: String, Sendable, CaseIterable {
        case mean, minimum, maximum

        /// The OpenVINO op (opset1) that computes it.
        public var operation: String {
            switch self {
            case .mean: "ReduceMean"
            case .minimum: "ReduceMin"
            case .maximum: "ReduceMax"
            }
        }
    }

    /// The output port whose values are reduced.
    public let tensor: PortReference
    /// Axis of the channels: 1 for NCHW convolution inputs, the last for MatMul inputs.
    public let channelAxis: Int
    public let kind: Kind
    /// The name its statistics go by: the tensor's name (as activations are named) and
    /// the kind, e.g. `relu1/mean`.
    public let name: String

    public init(tensor: PortReference, channelAxis: Int, kind: Kind, tensorName: String) {
        self.tensor = tensor
        self.channelAxis = channelAxis
        self.kind = kind
        name = "\(tensorName)/\(kind.rawValue)"
    }

    /// Everything one calibration reduces per channel, in the order statistics keep it:
    /// the minima and maxima of `plan`'s per-channel activations (activation order), then
    /// `biasCorrection`'s input means.
    public static func collected(plan: QuantizationPlan, biasCorrection: BiasCorrectionPlan) -> [ChannelReduction] {
        let extremes = plan.activations.flatMap { activation -> [ChannelReduction] in
            guard let axis = activation.channelAxis else { return [] }
            return [Kind.minimum, .maximum].map {
                ChannelReduction(tensor: activation.tensor, channelAxis: axis, kind: $0, tensorName: activation.name)
            }
        }
        return extremes + biasCorrection.meanTensors
    }
}
