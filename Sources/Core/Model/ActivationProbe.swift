/// Makes intermediate tensors observable: OpenVINO only returns model outputs, so a
/// probe adds a `Result` on each tensor of interest. Outputs come back in Result order,
/// the model's own outputs first, then the probes in `tensors` order, then the
/// per-channel figures of `channelReductions` (each computed inside the graph, so a few
/// floats come out instead of the whole tensor).
public struct ActivationProbe: Sendable {
    /// The probed output ports, in the order their Results were added.
    public let tensors: [PortReference]
    /// The per-channel figures probed, after `tensors`.
    public let channelReductions: [ChannelReduction]
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

    /// Probes exactly `tensors` (output ports), in that order, then the per-channel figures
    /// of `channelReductions` (each a `[N, C]` output, N the batch axis 0).
    public init(graph source: IRGraph, tensors: [PortReference], channelReductions: [ChannelReduction] = []) throws {
        var graph = source
        for reference in tensors {
            let name = (try source.requireLayer(reference.layer)).name
            try graph.addResult(on: reference, name: "\(name)/probe_\(reference.port)")
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
        self.channelReductions = channelReductions
        originalOutputs = source.layers(ofType: "Result").count
        self.graph = graph
    }
}
