/// Where a model gets quantized, decided from its graph alone (POT DefaultQuantization
/// for CPU, domain.md §3, with NNCF's placement rules, §6): which tensors need activation
/// statistics and a FakeQuantize, on which consumer inputs that FakeQuantize sits, and
/// which weights become int8.
///
/// - Convolution, GroupConvolution, their BackpropData (transposed) forms and MatMul
///   quantize their data input and their constant weights. Add, Subtract, Multiply,
///   Divide, Maximum and Minimum with two or more computed inputs quantize each of them;
///   with a constant operand (a folded bias or scale) they are fused by the CPU plugin and
///   stay float. AvgPool, AdaptiveAvgPool, ReduceMean, MVN, Interpolate and Power quantize
///   their computed input, so they run on int8 too.
/// - A FakeQuantize moves up only through quantization-agnostic ops (MaxPool, Reshape,
///   ..., the values of their output are values of their input) when everything they feed
///   is quantized: one FakeQuantize above a MaxPool that feeds a convolution and a
///   residual Add serves both, and the MaxPool runs int8 too.
///   An op that makes new values (linear Interpolate, AvgPool, ...) stops it, so the op
///   below gets its FakeQuantize directly on its input and runs int8.
/// - Through a Concat a FakeQuantize moves onto every Concat input, and those inputs
///   share one range (`group`), also when an input feeds other quantized ops as well.
/// - A tensor whose FakeQuantize serves only depthwise convolutions (directly or through
///   agnostic ops such as the Pad before a strided one), sharing no Concat range, is
///   quantized per channel along its axis 1, as NNCF's CPU configuration allows (`q8_a_ch`).
/// - Nothing on non-float tensors; nothing in the post-processing, found by walking up
///   from NonMaxSuppression/TopK to the last quantizable ops; nothing on ignored layers.
public struct QuantizationPlan: Sendable {
    /// A tensor that gets activation statistics and one FakeQuantize.
    public struct Activation: Sendable, Equatable {
        /// The output port producing the tensor.
        public let tensor: PortReference
        /// A readable unique name: the producer's name, with `:port` when it has several outputs.
        public let name: String
        /// The inputs the FakeQuantize feeds (the tensor's other consumers stay float).
        public let consumers: [PortReference]
        /// Activations with the same group share one range (inputs of one Concat).
        public let group: Int
        /// The channel axis when the range is per channel (the input of depthwise
        /// convolutions only); nil for one range for the whole tensor.
        public let channelAxis: Int?
    }

    /// A constant weight input of a quantized op.
    public struct Weight: Sendable, Equatable {
        /// The Convolution, GroupConvolution or MatMul.
        public let layer: Int
        /// The Const layer holding the weights (possibly behind a Convert to f32).
        public let constant: Int
        /// The output feeding the op's weight input (the Const, or its Convert).
        public let source: PortReference
        /// The first quantized convolution: its weights use 7 bits to avoid VNNI saturation.
        public let isFirstLayer: Bool
    }

    public let activations: [Activation]
    public let weights: [Weight]
    /// The op inputs that read quantized values (FakeQuantize directly or above agnostic
    /// ops), in plan order.
    public let quantizedInputs: [PortReference]
    /// Layers kept in float because they are post-processing or ignored.
    public let excluded: Set<Int>

    /// Ops with constant weights that run on int8 kernels.
    static let weightedTypes: Set<String> = [
        "Convolution", "GroupConvolution", "ConvolutionBackpropData", "GroupConvolutionBackpropData", "MatMul",
    ]
    /// Element-wise ops whose computed inputs are quantized when there are two or more.
    static let eltwiseTypes: Set<String> = ["Add", "Multiply", "Subtract", "Divide", "Maximum", "Minimum"]
    /// Ops that make new values from one computed input and get their own FakeQuantize on it.
    static let inputQuantizedTypes: Set<String> = ["AvgPool", "AdaptiveAvgPool", "ReduceMean", "MVN", "Interpolate", "Power"]
    /// Ops whose output values are values of their single computed input (NNCF's
    /// quantization-agnostic list, domain.md §6): a FakeQuantize moves up through them.
    /// Minimum and Maximum are left out: with one computed input they clamp it (hard-swish's
    /// `min(max(x + 3, 0), 6)`), and a FakeQuantize above the clamp would take the wider
    /// unclamped range; NNCF too leaves it below (checked on PP-OCRv4's detector).
    static let agnosticTypes: Set<String> = [
        "MaxPool", "AdaptiveMaxPool", "ReduceMax", "Reshape", "Squeeze", "Unsqueeze", "Split", "VariadicSplit",
        "Transpose", "Tile", "StridedSlice", "Slice", "ShuffleChannels", "Broadcast", "Pad",
        "ConvertLike", "Gather", "GatherND", "GatherElements", "ScatterUpdate", "ScatterNDUpdate",
        "ScatterElementsUpdate", "DepthToSpace", "SpaceToDepth", "BatchToSpace", "SpaceToBatch", "Concat",
    ]

    /// Plans quantization of `graph`. Every name in `ignoredNames` must exist; layers of
    /// `ignoredTypes` stay float. A model with nothing to quantize is an error.
    public init(graph: IRGraph, ignoredNames: [String] = [], ignoredTypes: [String] = []) throws {
        let missing = ignoredNames.filter { graph.layer(named: $0) == nil }
        guard missing.isEmpty else {
            throw IRError.unknownLayers(missing)
        }
        let order = try graph.topologicalOrder()
        let constant = Self.constantLayers(graph, order: order)
        var excluded = Self.postProcessing(graph)
        for layer in graph.layers where ignoredNames.contains(layer.name) || ignoredTypes.contains(layer.type) {
            excluded.insert(layer.id)
        }

        var quantizedInputs = [PortReference]()
        var weights = [Weight]()
        for id in order where !excluded.contains(id) {
            let layer = try graph.requireLayer(id)
            let inputs = layer.inputs.map { PortReference(layer: id, port: $0.id) }
            let computed = inputs.filter { input in graph.producer(of: input).map { !constant.contains($0.layer) } ?? false }
            var quantized = [PortReference]()
            if Self.weightedTypes.contains(layer.type) {
                quantized = computed
                if inputs.count > 1, let source = graph.producer(of: inputs[1]), constant.contains(source.layer),
                    let const = Self.constLayer(behind: source, in: graph)
                {
                    let isFirst = weights.isEmpty && layer.type != "MatMul"
                    weights.append(Weight(layer: id, constant: const, source: source, isFirstLayer: isFirst))
                }
            } else if Self.eltwiseTypes.contains(layer.type), computed.count >= 2 {
                quantized = computed
            } else if Self.inputQuantizedTypes.contains(layer.type) {
                quantized = computed
            }
            quantizedInputs += quantized
        }
        let quantizedSet = Set(quantizedInputs)
        // Each placement remembers the quantized input it serves (its origin).
        let placements = quantizedInputs.flatMap { origin in
            Self.place(origin, in: graph, excluded: excluded, constant: constant, quantized: quantizedSet).map {
                (tensor: $0.tensor, consumer: $0.consumer, concat: $0.concat, origin: origin)
            }
        }
        guard !placements.isEmpty || !weights.isEmpty else {
            throw IRError.invalidNetwork("the model has no quantizable operation (Convolution, MatMul, Add of two tensors, ...)")
        }

        // One activation per tensor; all inputs of one Concat share a group, whatever else
        // they feed (groups joined as in a union-find, numbered by first appearance).
        var tensors = [PortReference]()
        var consumers = [PortReference: [PortReference]]()
        var origins = [PortReference: [PortReference]]()
        var groups = GroupUnion()
        var groupOf = [PortReference: Int]()
        var concatGroup = [Int: Int]()
        for placement in placements {
            if consumers[placement.tensor] == nil {
                tensors.append(placement.tensor)
                consumers[placement.tensor] = []
                groupOf[placement.tensor] = groups.makeGroup()
            }
            if !consumers[placement.tensor]!.contains(placement.consumer) {
                consumers[placement.tensor]!.append(placement.consumer)
            }
            origins[placement.tensor, default: []].append(placement.origin)
            if let concat = placement.concat {
                if let group = concatGroup[concat] {
                    groups.join(group, groupOf[placement.tensor]!)
                } else {
                    concatGroup[concat] = groupOf[placement.tensor]
                }
            }
        }
        var numbering = [Int: Int]()
        var members = [Int: Int]()
        for tensor in tensors { members[groups.root(of: groupOf[tensor]!), default: 0] += 1 }
        activations = tensors.map { tensor in
            let root = groups.root(of: groupOf[tensor]!)
            let group = numbering[root] ?? numbering.count
            numbering[root] = group
            let dims = graph.port(tensor)?.dims ?? []
            let perChannel = members[root] == 1 && dims.count >= 3 && dims.allSatisfy { $0 > 0 }
                && origins[tensor]!.allSatisfy { Self.isDepthwiseInput($0, in: graph) }
            return Activation(
                tensor: tensor, name: Self.name(of: tensor, in: graph), consumers: consumers[tensor]!, group: group,
                channelAxis: perChannel ? 1 : nil)
        }
        self.weights = weights
        self.excluded = excluded
        self.quantizedInputs = quantizedInputs
    }

    /// Where the FakeQuantize for `input` goes: moved up through agnostic ops all of whose
    /// consumers are `quantized` inputs (directly, or through further such ops); a Concat
    /// spreads it over its computed inputs (tagged with the Concat).
    static func place(
        _ input: PortReference, in graph: IRGraph, excluded: Set<Int>, constant: Set<Int>, quantized: Set<PortReference>,
        concat: Int? = nil
    ) -> [(tensor: PortReference, consumer: PortReference, concat: Int?)] {
        guard let source = graph.producer(of: input), let port = graph.port(source),
            port.precision?.isFloatingPoint ?? true
        else { return [] }
        guard let computed = agnosticInputs(of: source, in: graph, excluded: excluded, constant: constant),
            graph.consumers(of: source).allSatisfy({ isQuantized($0, in: graph, excluded: excluded, constant: constant, quantized: quantized) })
        else { return [(source, input, concat)] }
        let producer = source.layer
        if graph.layer(producer)?.type == "Concat" {
            return computed.flatMap { place($0, in: graph, excluded: excluded, constant: constant, quantized: quantized, concat: producer) }
        }
        return place(computed[0], in: graph, excluded: excluded, constant: constant, quantized: quantized, concat: concat)
    }

    /// The computed inputs of the layer producing `source` when a FakeQuantize can move
    /// above it: an agnostic, not excluded op with one computed input (any number for a
    /// Concat) whose only used output is `source` (MaxPool-8's unused indices output
    /// allowed); nil otherwise.
    private static func agnosticInputs(of source: PortReference, in graph: IRGraph, excluded: Set<Int>, constant: Set<Int>) -> [PortReference]? {
        guard let producer = graph.layer(source.layer), agnosticTypes.contains(producer.type), !excluded.contains(producer.id),
            producer.outputs.allSatisfy({ $0.id == source.port || graph.consumers(of: PortReference(layer: producer.id, port: $0.id)).isEmpty })
        else { return nil }
        let computed = producer.inputs.map { PortReference(layer: producer.id, port: $0.id) }.filter { input in
            graph.producer(of: input).map { !constant.contains($0.layer) } ?? false
        }
        return producer.type == "Concat" || computed.count == 1 ? computed : nil
    }

    /// True when `input` gets quantized: it is one of `quantized`, or the input of an agnostic
    /// op (see `agnosticInputs`) whose consumers all get quantized.
    private static func isQuantized(
        _ input: PortReference, in graph: IRGraph, excluded: Set<Int>, constant: Set<Int>, quantized: Set<PortReference>
    ) -> Bool {
        if quantized.contains(input) { return true }
        guard let layer = graph.layer(input.layer), let output = layer.outputs.first,
            agnosticInputs(of: PortReference(layer: layer.id, port: output.id), in: graph, excluded: excluded, constant: constant)?
                .contains(input) == true
        else { return false }
        return graph.consumers(of: PortReference(layer: layer.id, port: output.id)).allSatisfy {
            isQuantized($0, in: graph, excluded: excluded, constant: constant, quantized: quantized)
        }
    }

    /// A tensor's readable unique name: its producer's name, with `:port` when it has
    /// several outputs.
    static func name(of tensor: PortReference, in graph: IRGraph) -> String {
        let layer = graph.layer(tensor.layer)
        return (layer?.outputs.count ?? 1) > 1 ? "\(layer?.name ?? "?"):\(tensor.port)" : layer?.name ?? "?"
    }

    /// True when `input` is the data input of a depthwise GroupConvolution (weights
    /// `[G, 1, 1, kh, kw]`).
    private static func isDepthwiseInput(_ input: PortReference, in graph: IRGraph) -> Bool {
        guard let layer = graph.layer(input.layer), layer.type == "GroupConvolution", layer.inputs.count == 2,
            input.port == layer.inputs[0].id, let weights = layer.inputs[1].dims, weights.count >= 4, weights[1] == 1,
            weights[2] == 1
        else { return false }
        return true
    }

    /// Layers whose value depends on constants only (Const, and Converts or shape
    /// arithmetic on them).
    static func constantLayers(_ graph: IRGraph, order: [Int]) -> Set<Int> {
        var constant = Set<Int>()
        for id in order {
            guard let layer = graph.layer(id) else { continue }
            let producers = graph.producers(ofLayer: id).compactMap { $0?.layer }
            if layer.type == "Const" || (!producers.isEmpty && producers.allSatisfy(constant.contains)) {
                constant.insert(id)
            }
        }
        return constant
    }

    /// The post-processing: NonMaxSuppression/TopK-like layers, everything after them,
    /// and everything above them up to (not including) the last quantizable layers.
    static func postProcessing(_ graph: IRGraph) -> Set<Int> {
        let roots = graph.layers.filter {
            ["NonMaxSuppression", "TopK", "DetectionOutput", "MulticlassNms", "MatrixNms", "ExperimentalDetectronDetectionOutput"]
                .contains($0.type)
        }.map(\.id)
        var excluded = Set<Int>()
        var upward = roots
        while let id = upward.popLast() {
            guard !excluded.contains(id), let layer = graph.layer(id), !weightedTypes.contains(layer.type) else { continue }
            excluded.insert(id)
            upward += graph.producers(ofLayer: id).compactMap { $0?.layer }
        }
        var downward = roots
        while let id = downward.popLast() {
            guard let layer = graph.layer(id) else { continue }
            excluded.insert(id)
            for port in layer.outputs {
                downward += graph.consumers(of: PortReference(layer: id, port: port.id)).map(\.layer)
                    .filter { !excluded.contains($0) }
            }
        }
        return excluded
    }

    /// The Const layer behind a weight source: the Const itself or the Const under a Convert.
    static func constLayer(behind source: PortReference, in graph: IRGraph) -> Int? {
        guard let layer = graph.layer(source.layer) else { return nil }
        if layer.type == "Const" { return layer.id }
        if layer.type == "Convert", let input = graph.producer(of: PortReference(layer: layer.id, port: layer.inputs[0].id)),
            graph.layer(input.layer)?.type == "Const"
        {
            return input.layer
        }
        return nil
    }
}
