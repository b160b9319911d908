/// The state of one IR-to-ONNX translation: the ONNX graph built so far, the ONNX tensor
/// that holds each translated IR output, and the constants not written yet. Constants
/// become initializers only when a node reads them as an input, so the Consts ONNX takes
/// as attributes instead (a Transpose order, a Gather axis) leave nothing behind.
/// `ONNXGraphTranslation+Operations.swift` translates the layers themselves.
struct ONNXGraphTranslation {
    let ir: IRGraph
    private(set) var onnx: ONNXGraph
    /// The ONNX tensor holding each translated IR output port.
    private var tensorNames: [PortReference: String] = [:]
    /// Named constants written as initializers the first time a node reads them.
    private var pendingConstants: [PortReference: PendingConstant] = [:]
    /// Every ONNX tensor name given out, which must be unique in the graph.
    private var usedNames: Set<String> = []

    /// Where an initializer's values come from.
    enum PendingConstant {
        /// A Const layer's payload, written as it is.
        case const(Layer, ConstView)
        /// An f16 Const read through a Convert to f32: written as f32 values, the way the
        /// original model stores its weights.
        case widenedHalf(ConstView)
    }

    /// Translates every layer of `ir` in topological order, then declares the outputs.
    /// - Throws: `ONNXExportError` for a layer with no translation; `IRError` for a cycle
    ///   or a Const whose data lies outside the weights.
    init(_ ir: IRGraph) throws {
        self.ir = ir
        onnx = ONNXGraph(name: ir.name)
        for id in try ir.topologicalOrder() {
            try translate(try ir.requireLayer(id))
        }
        for result in ir.layers(ofType: "Result") {
            let name = try input(result, 0)
            onnx.outputs.append(try valueInfo(name: name, of: producedPort(result, 0), layer: result))
        }
    }

    // MARK: Tensors

    /// The ONNX tensor feeding input `index` (in port order) of `layer`. A constant behind
    /// it is written as an initializer on first use.
    mutating func input(_ layer: Layer, _ index: Int) throws -> String {
        let source = try producer(layer, index)
        guard let name = tensorNames[source] else {
            let producer = ir.layer(source.layer)?.label ?? "id \(source.layer)"
            throw ONNXExportError.unsupportedLayer(layer: producer, reason: "output port \(source.port) has no ONNX translation")
        }
        if let constant = pendingConstants.removeValue(forKey: source) {
            onnx.initializers.append(try tensor(name: name, from: constant))
        }
        return name
    }

    /// Like `input`, but "" (ONNX's missing optional input) when `layer` has fewer inputs.
    mutating func optionalInput(_ layer: Layer, _ index: Int) throws -> String {
        index < layer.inputs.count ? try input(layer, index) : ""
    }

    /// The output port feeding input `index` of `layer`.
    func producer(_ layer: Layer, _ index: Int) throws -> PortReference {
        guard index < layer.inputs.count else {
            throw unsupported(layer, "has no input \(index)")
        }
        guard let source = ir.producer(of: PortReference(layer: layer.id, port: layer.inputs[index].id)) else {
            throw unsupported(layer, "input port \(layer.inputs[index].id) is not connected")
        }
        return source
    }

    /// The port (with its element type and dims) feeding input `index` of `layer`.
    func producedPort(_ layer: Layer, _ index: Int) throws -> Port {
        let source = try producer(layer, index)
        guard let port = ir.port(source) else { throw unsupported(layer, "input \(index) reads a missing port \(source)") }
        return port
    }

    /// The integer values of the Const feeding input `index` of `layer`: the axes, orders
    /// and shapes ONNX takes as attributes.
    func constantIntegers(_ layer: Layer, _ index: Int) throws -> [Int] {
        let source = try producer(layer, index)
        guard let const = ir.layer(source.layer), const.type == "Const" else {
            throw unsupported(layer, "input \(index) must be a Const to become an ONNX attribute")
        }
        return try ConstView(layer: const, weightsCount: ir.weights.count).integers(in: ir.weights).map { Int($0) }
    }

    /// Names the ONNX tensor of output `index` of `layer`: the port's first tensor name,
    /// else `<layer name>:<port id>`.
    mutating func defineOutput(_ layer: Layer, _ index: Int) throws -> String {
        guard index < layer.outputs.count else { throw unsupported(layer, "has no output \(index)") }
        let port = layer.outputs[index]
        let name = try reserveName(port.names.first ?? "\(layer.name):\(port.id)", for: layer)
        tensorNames[PortReference(layer: layer.id, port: port.id)] = name
        return name
    }

    /// Claims a tensor name; two tensors with one name would make the ONNX graph invalid.
    mutating func reserveName(_ name: String, for layer: Layer) throws -> String {
        guard usedNames.insert(name).inserted else {
            throw unsupported(layer, "tensor name '\(name)' is already used by another tensor")
        }
        return name
    }

    /// Names output `index` of a Const or folded Convert; its values are written when first read.
    mutating func defineConstant(_ layer: Layer, _ index: Int, _ constant: PendingConstant) throws {
        _ = try defineOutput(layer, index)
        // defineOutput checked that the output exists.
        pendingConstants[PortReference(layer: layer.id, port: layer.outputs[index].id)] = constant
    }

    /// Adds an i64 initializer the translation needs beyond the IR's Consts (a target
    /// shape, gathered columns), named `<layer name>/<suffix>`, and returns its name.
    mutating func addIntegerInitializer(_ layer: Layer, _ suffix: String, dims: [Int], values: [Int]) throws -> String {
        let name = try reserveName("\(layer.name)/\(suffix)", for: layer)
        let bytes = values.flatMap { Int64($0).littleEndianBytes }
        onnx.initializers.append(ONNXGraph.Tensor(name: name, dataType: .int64, dims: dims, rawData: bytes))
        return name
    }

    private func tensor(name: String, from constant: PendingConstant) throws -> ONNXGraph.Tensor {
        switch constant {
        case let .const(layer, view):
            guard let dataType = ONNXGraph.DataType(view.elementType) else {
                throw unsupported(layer, "element type \(view.elementType.constName) has no ONNX equivalent")
            }
            let bytes = Array(ir.weights[view.offset..<(view.offset + view.size)])
            return ONNXGraph.Tensor(name: name, dataType: dataType, dims: view.shape, rawData: bytes)
        case let .widenedHalf(view):
            let bytes = try view.floats(in: ir.weights).flatMap { $0.bitPattern.littleEndianBytes }
            return ONNXGraph.Tensor(name: name, dataType: .float, dims: view.shape, rawData: bytes)
        }
    }

    // MARK: Nodes

    /// Adds the node of a layer translated one to one: named after the layer, its outputs
    /// the layer's first `outputCount` outputs (all by default). Returns their tensor names.
    @discardableResult
    mutating func addNode(
        for layer: Layer, opType: String, inputs: [String], attributes: [ONNXGraph.Attribute] = [], outputCount: Int? = nil
    ) throws -> [String] {
        let outputs = try (0..<(outputCount ?? layer.outputs.count)).map { try defineOutput(layer, $0) }
        onnx.nodes.append(
            ONNXGraph.Node(name: layer.name, opType: opType, inputs: inputs, outputs: outputs, attributes: attributes))
        return outputs
    }

    /// Adds a node the translation needs beyond one per layer, named `<layer name>/<suffix>`,
    /// with one output: `output` (an already defined name) or a new tensor named like the
    /// node. Returns the output's name.
    @discardableResult
    mutating func addHelperNode(
        for layer: Layer, _ suffix: String, opType: String, inputs: [String], attributes: [ONNXGraph.Attribute] = [],
        output: String? = nil
    ) throws -> String {
        let name = "\(layer.name)/\(suffix)"
        let outputName = try output ?? reserveName(name, for: layer)
        onnx.nodes.append(
            ONNXGraph.Node(name: name, opType: opType, inputs: inputs, outputs: [outputName], attributes: attributes))
        return outputName
    }

    /// Adds a graph input for a Parameter layer.
    mutating func addInput(_ layer: Layer) throws {
        guard let port = layer.outputs.first else { throw unsupported(layer, "has no output") }
        let name = try defineOutput(layer, 0)
        onnx.inputs.append(try valueInfo(name: name, of: port, layer: layer))
    }

    /// The ONNX type of a tensor with the element type and dims of `port`.
    func valueInfo(name: String, of port: Port, layer: Layer) throws -> ONNXGraph.ValueInfo {
        guard let precision = port.precision else { throw unsupported(layer, "port \(port.id) has no element type") }
        guard let dataType = ONNXGraph.DataType(precision) else {
            throw unsupported(layer, "element type \(precision.constName) has no ONNX equivalent")
        }
        return ONNXGraph.ValueInfo(name: name, dataType: dataType, dims: port.dims)
    }

    func unsupported(_ layer: Layer, _ reason: String) -> ONNXExportError {
        .unsupportedLayer(layer: layer.label, reason: reason)
    }
}
