/// Which layers FastBiasCorrection corrects and which per-channel means it needs
/// (domain.md §7, as NNCF does it for OpenVINO): every Convolution and MatMul with
/// int8 weights whose output goes only into a bias Add with a constant, one value per
/// output channel. GroupConvolution is left alone, as NNCF does.
///
/// The means are those of each corrected layer's input (what it reads); a tensor read by
/// several layers is measured once. `BiasCorrection` says why no output means are needed.
public struct BiasCorrectionPlan: Sendable {
    /// One corrected layer.
    public struct Layer: Sendable, Equatable {
        /// The Convolution or MatMul.
        public let layer: Int
        /// Its entry in `QuantizationPlan.weights`.
        public let weight: Int
        /// The bias Add after it.
        public let biasAdd: Int
        /// The bias Add's input port that the constant bias feeds.
        public let biasInput: PortReference
        /// The Const holding the bias (possibly behind a Convert).
        public let biasConstant: Int
        /// Position in `meanTensors` of the layer's input.
        public let inputMeans: Int
    }

    public let layers: [Layer]
    /// The tensors whose per-channel means are collected (kind `.mean`).
    public let meanTensors: [ChannelReduction]

    /// The layers of `plan` that FastBiasCorrection can correct in `graph`.
    public init(graph: IRGraph, plan: QuantizationPlan) {
        let order = (try? graph.topologicalOrder()) ?? graph.layers.map(\.id)
        let constant = QuantizationPlan.constantLayers(graph, order: order)
        let quantizedInputs = Set(plan.quantizedInputs)
        var layers = [Layer]()
        var tensors = [ChannelReduction]()
        func meanIndex(_ tensor: PortReference, axis: Int) -> Int {
            if let index = tensors.firstIndex(where: { $0.tensor == tensor }) { return index }
            let name = QuantizationPlan.name(of: tensor, in: graph)
            tensors.append(ChannelReduction(tensor: tensor, channelAxis: axis, kind: .mean, tensorName: name))
            return tensors.count - 1
        }
        for (weightIndex, weight) in plan.weights.enumerated() {
            guard let layer = graph.layer(weight.layer), ["Convolution", "MatMul"].contains(layer.type),
                let inputPort = layer.inputs.first, let outputPort = layer.outputs.first,
                let inputDims = inputPort.dims, let outputDims = outputPort.dims,
                !inputDims.isEmpty, !outputDims.isEmpty, (inputDims + outputDims).allSatisfy({ $0 > 0 }),
                layer.type == "MatMul" || (inputDims.count == 4 && outputDims.count == 4)
            else { continue }
            let input = PortReference(layer: layer.id, port: inputPort.id)
            let output = PortReference(layer: layer.id, port: outputPort.id)
            // The layer runs int8: its input is quantized, directly or above agnostic ops.
            guard let source = graph.producer(of: input), quantizedInputs.contains(input) else { continue }
            let consumers = graph.consumers(of: output)
            guard consumers.count == 1, let add = graph.layer(consumers[0].layer), add.type == "Add", add.inputs.count == 2
            else { continue }
            let biasInput = PortReference(layer: add.id, port: add.inputs[consumers[0].port == add.inputs[0].id ? 1 : 0].id)
            let channels = outputDims[layer.type == "MatMul" ? outputDims.count - 1 : 1]
            guard let biasSource = graph.producer(of: biasInput), constant.contains(biasSource.layer),
                let biasConstant = QuantizationPlan.constLayer(behind: biasSource, in: graph),
                let biasShape = try? graph.constView(biasConstant).shape, biasShape.reduce(1, *) == channels,
                biasShape.filter({ $0 != 1 }).count <= 1
            else { continue }
            let isMatMul = layer.type == "MatMul"
            layers.append(
                Layer(
                    layer: layer.id, weight: weightIndex, biasAdd: add.id, biasInput: biasInput,
                    biasConstant: biasConstant,
                    inputMeans: meanIndex(source, axis: isMatMul ? inputDims.count - 1 : 1)))
        }
        self.layers = layers
        meanTensors = tensors
    }
}
