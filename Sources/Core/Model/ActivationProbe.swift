/// Makes intermediate tensors observable: OpenVINO only returns model outputs, so a
/// probe adds a `Result` on each tensor of interest. Outputs come back in Result order,
/// the model's own outputs first, then the probes in `tensors` order.
public struct ActivationProbe: Sendable {
    /// The probed output ports, in the order their Results were added.
    public let tensors: [PortReference]
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

    /// Probes exactly `tensors` (output ports), in that order.
    public init(graph source: IRGraph, tensors: [PortReference]) throws {
        var graph = source
        for reference in tensors {
            let name = (try source.requireLayer(reference.layer)).name
            try graph.addResult(on: reference, name: "\(name)/probe_\(reference.port)")
        }
        self.tensors = tensors
        originalOutputs = source.layers(ofType: "Result").count
        self.graph = graph
    }
}
