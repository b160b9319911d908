/// Makes intermediate tensors observable: OpenVINO only returns model outputs, so a
/// probe adds a `Result` on each tensor of interest, or, for `StatisticsCollection.extremes`,
/// on three reductions of it. Outputs come back in Result order, the model's own outputs
/// first, then the probes in `tensors` order (`outputs` says where each is), then the
/// per-channel figures of `channelReductions` (each computed inside the graph, so a few
/// floats come out instead of the whole tensor).
public struct ActivationProbe: Sendable {
    /// Where one probed tensor comes out: whole, or as its per-image minimum, maximum and
    /// sum (`[N]` each, N the batch axis 0; the sum is finite only when every value was).
    public enum Output: Sendable, Equatable {
        case whole(Int)
        case extremes(minimum: Int, maximum: Int, sum: Int)
    }

    /// The probed output ports, in the order their Results were added.
    public let tensors: [PortReference]
    /// For each of `tensors`, the index of its output or outputs.
    public let outputs: [Output]
    /// The per-channel figures probed, after `tensors`.
    public let channelReductions: [ChannelReduction]
    /// The output index of the first of `channelReductions`.
    public let firstChannelOutput: Int
    /// The graph with the extra Results.
    public let graph: IRGraph
    /// Number of Results the graph had before probing.
    public let originalOutputs: Int

    /// Probes every float tensor with a static shape that is computed from the model
    /// input (not from constants alone) and is not already a model output.
    public init(graph source: IRGraph) throws {
        let order = try source.topologicalOrder()
        var constant = Set<Int>()
        var probed = [PortReference]()
        for id in order {
            let layer = try source.requireLayer(id)
            let producers = source.producers(ofLayer: id).compactMap { $0?.layer }
            if layer.type == "Const" || (!producers.isEmpty && producers.allSatisfy(constant.contains)) {
                constant.insert(id)
                continue
            }
            guard layer.type != "Parameter", layer.type != "Result" else { continue }
            for port in layer.outputs where port.precision?.isFloatingPoint == true {
                guard let dims = port.dims, dims.allSatisfy({ $0 >= 0 }) else { continue }
                let reference = PortReference(layer: id, port: port.id)
                let consumers = source.consumers(of: reference)
                if consumers.contains(where: { source.layer($0.layer)?.type == "Result" }) { continue }
                probed.append(reference)
            }
        }
        try self.init(graph: source, tensors: probed)
    }

    /// Probes exactly `tensors` (output ports), in that order, whole or reduced to their
    /// extremes (`collection`; a tensor with no axis but the batch axis comes out whole
    /// either way), then the per-channel figures of `channelReductions` (each a `[N, C]`
    /// output, N the batch axis 0).
    public init(
        graph source: IRGraph, tensors: [PortReference], channelReductions: [ChannelReduction] = [],
        collection: StatisticsCollection = .histograms
    ) throws {
        var graph = source
        var next = source.layers(ofType: "Result").count
        var outputs = [Output]()
        for reference in tensors {
            let layer = try source.requireLayer(reference.layer)
            let dims = layer.output(reference.port)?.dims ?? []
            guard collection == .extremes, dims.count >= 2, dims.allSatisfy({ $0 >= 0 }) else {
                try graph.addResult(on: reference, name: "\(layer.name)/probe_\(reference.port)")
                outputs.append(.whole(next))
                next += 1
                continue
            }
            let axes = try graph.addConst(
                name: "\(layer.name)/probe_axes_\(reference.port)", elementType: .i64, shape: [dims.count - 1],
                bytes: (1..<dims.count).flatMap { UInt64($0).littleEndianBytes })
            for operation in ["ReduceMin", "ReduceMax", "ReduceSum"] {
                let name = "\(layer.name)/probe_\(operation)_\(reference.port)"
                let reduce = graph.addLayer(
                    type: operation, name: name, data: [.init("keep_dims", "false")],
                    inputs: [(.f32, dims), (.i64, [dims.count - 1])], outputs: [(.f32, [dims[0]])])
                try graph.connect(reference, to: PortReference(layer: reduce, port: 0))
                try graph.connect(axes, to: PortReference(layer: reduce, port: 1))
                try graph.addResult(on: PortReference(layer: reduce, port: 2), name: "\(name)/probe")
            }
            outputs.append(.extremes(minimum: next, maximum: next + 1, sum: next + 2))
            next += 3
        }
        for reduction in channelReductions {
            let layer = try source.requireLayer(reduction.tensor.layer)
            guard let dims = layer.output(reduction.tensor.port)?.dims, dims.indices.contains(reduction.channelAxis) else {
                throw IRError.invalidOperation("\(layer.label) has no static output \(reduction.tensor.port) with a channel axis")
            }
            let name = "\(layer.name)/channel_\(reduction.kind.rawValue)_\(reduction.tensor.port)"
            // The batch axis 0 is kept, so that a batch's figures split per image: [N, C].
            let axes = dims.indices.filter { $0 != reduction.channelAxis && $0 != 0 }
            guard !axes.isEmpty else {
                try graph.addResult(on: reduction.tensor, name: "\(name)/probe")
                continue
            }
            let axesConstant = try graph.addConst(
                name: "\(name)/axes", elementType: .i64, shape: [axes.count], bytes: axes.flatMap { UInt64($0).littleEndianBytes })
            let reduce = graph.addLayer(
                type: reduction.kind.operation, name: name, data: [.init("keep_dims", "false")],
                inputs: [(.f32, dims), (.i64, [axes.count])], outputs: [(.f32, [dims[0], dims[reduction.channelAxis]])])
            try graph.connect(reduction.tensor, to: PortReference(layer: reduce, port: 0))
            try graph.connect(axesConstant, to: PortReference(layer: reduce, port: 1))
            try graph.addResult(on: PortReference(layer: reduce, port: 2), name: "\(name)/probe")
        }
        self.tensors = tensors
        self.outputs = outputs
        firstChannelOutput = next
        self.channelReductions = channelReductions
        originalOutputs = source.layers(ofType: "Result").count
        self.graph = graph
    }
}
