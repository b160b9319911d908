/// Makes intermediate tensors observable: OpenVINO only returns model outputs, so a
/// probe adds a `Result` on each tensor of interest, or, for `StatisticsCollection.extremes`,
/// on three reductions of it. Outputs come back in Result order, the model's own outputs
/// first, then the probes in `tensors` order (`outputs` says where each is), then the
/// per-channel figures of `channelReductions` (each computed inside the graph, so a few
/// floats come out instead of the whole tensor).
public struct ActivationProbe: Sendable {
    /// Where one probed tensor comes out: whole, or as its per-image minimum and maximum
    /// (`[N]` each, N the batch axis 0) and an output whose values for an image are all
    /// finite only when all the tensor's values were: the tensor's sum, or its per-channel
    /// means when `channelReductions` compute them anyway.
    public enum Output: Sendable, Equatable {
        /// The whole tensor, a tensor of rank 3 or more with its channel axis 1 moved last
        /// (`[N, spatial..., C]`): statistics of an image's values do not depend on their
        /// order, and OpenVINO's CPU plugin writes channels-last straight from its blocked
        /// layouts, where the model's own order costs a Reorder per probe (at 300x300 the
        /// example's 53 probes cost 38 ms per image in Reorders, and 1 ms channels-last).
        case whole(Int)
        case extremes(minimum: Int, maximum: Int, finiteness: Int)
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
        func reduced(_ reference: PortReference) throws -> [Int]? {
            let dims = try source.requireLayer(reference.layer).output(reference.port)?.dims ?? []
            return collection == .extremes && dims.count >= 2 && dims.allSatisfy({ $0 >= 0 }) ? dims : nil
        }
        // A mean covers every value: where one is computed, it also tells finiteness.
        var means = [PortReference: Int]()
        for (index, reduction) in channelReductions.enumerated() where reduction.kind == .mean && means[reduction.tensor] == nil {
            means[reduction.tensor] = index
        }
        let firstChannel = try tensors.reduce(next) { count, reference in
            guard try reduced(reference) != nil else { return count + 1 }
            return count + (means[reference] == nil ? 3 : 2)
        }
        for reference in tensors {
            let layer = try source.requireLayer(reference.layer)
            guard let dims = try reduced(reference) else {
                try graph.addResult(on: Self.channelsLast(reference, of: layer, in: &graph), name: "\(layer.name)/probe_\(reference.port)")
                outputs.append(.whole(next))
                next += 1
                continue
            }
            // Two stages: the axes after the channel axis 1 first, keeping channels, then the
            // channels. Reducing the channel axis of a whole tensor at once makes OpenVINO's
            // CPU plugin give up its blocked layouts (their padded channels would count in a
            // minimum), and the convolution feeding it then runs several times slower.
            let spatial = Array(2..<dims.count)
            let spatialAxes = spatial.isEmpty ? nil : try graph.addConst(
                name: "\(layer.name)/probe_axes_\(reference.port)", elementType: .i64, shape: [spatial.count],
                bytes: spatial.flatMap { UInt64($0).littleEndianBytes })
            let channelAxis = try graph.addConst(
                name: "\(layer.name)/probe_channel_axis_\(reference.port)", elementType: .i64, shape: [1],
                bytes: UInt64(1).littleEndianBytes)
            let mean = means[reference]
            for operation in ["ReduceMin", "ReduceMax"] + (mean == nil ? ["ReduceSum"] : []) {
                let name = "\(layer.name)/probe_\(operation)_\(reference.port)"
                var channels = reference
                if let spatialAxes {
                    let perChannel = graph.addLayer(
                        type: operation, name: "\(name)/channels", data: [.init("keep_dims", "false")],
                        inputs: [(.f32, dims), (.i64, [spatial.count])], outputs: [(.f32, Array(dims[0...1]))])
                    try graph.connect(reference, to: PortReference(layer: perChannel, port: 0))
                    try graph.connect(spatialAxes, to: PortReference(layer: perChannel, port: 1))
                    channels = PortReference(layer: perChannel, port: 2)
                }
                let reduce = graph.addLayer(
                    type: operation, name: name, data: [.init("keep_dims", "false")],
                    inputs: [(.f32, Array(dims[0...1])), (.i64, [1])], outputs: [(.f32, [dims[0]])])
                try graph.connect(channels, to: PortReference(layer: reduce, port: 0))
                try graph.connect(channelAxis, to: PortReference(layer: reduce, port: 1))
                try graph.addResult(on: PortReference(layer: reduce, port: 2), name: "\(name)/probe")
            }
            outputs.append(.extremes(minimum: next, maximum: next + 1, finiteness: mean.map { firstChannel + $0 } ?? next + 2))
            next += mean == nil ? 3 : 2
        }
        precondition(next == firstChannel, "the probe's outputs were miscounted")
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

    /// A `Transpose` of `reference` that moves the channel axis 1 last, or `reference`
    /// itself when its rank is below 3 or its shape is not static.
    private static func channelsLast(_ reference: PortReference, of layer: Layer, in graph: inout IRGraph) throws -> PortReference {
        guard let dims = layer.output(reference.port)?.dims, dims.count >= 3, dims.allSatisfy({ $0 >= 0 }) else { return reference }
        let order = [0] + Array(2..<dims.count) + [1]
        let orderConstant = try graph.addConst(
            name: "\(layer.name)/probe_channels_last_order_\(reference.port)", elementType: .i64, shape: [order.count],
            bytes: order.flatMap { UInt64($0).littleEndianBytes })
        let transpose = graph.addLayer(
            type: "Transpose", name: "\(layer.name)/probe_channels_last_\(reference.port)",
            inputs: [(layer.output(reference.port)?.precision, dims), (.i64, [order.count])],
            outputs: [(layer.output(reference.port)?.precision, order.map { dims[$0] })])
        try graph.connect(reference, to: PortReference(layer: transpose, port: 0))
        try graph.connect(orderConstant, to: PortReference(layer: transpose, port: 1))
        return PortReference(layer: transpose, port: 2)
    }
}
