/// An OpenVINO IR (v10 or v11) in memory: the layers and edges of the `.xml` and the
/// bytes of the `.bin`. Everything calib does to a model (probing, quantizing) is an
/// edit of this value; `IRReader` and `IRWriter` convert it from and to files' bytes.
public struct IRGraph: Sendable {
    public var name: String
    /// The IR version (`<net version>`): 10 or 11.
    public var version: Int
    /// Layers in file order.
    public private(set) var layers: [Layer]
    public private(set) var edges: [Edge]
    /// The contents of the `.bin` file; Const layers point into it.
    public private(set) var weights: [UInt8]
    /// Attributes of `<net>` other than `name` and `version`.
    public var otherAttributes: [XMLElement.Attribute]
    /// Children of `<net>` other than `<layers>` and `<edges>` (`<rt_info>`, `<meta_data>`, ...).
    public var otherChildren: [XMLElement]

    private var indexByID: [Int: Int]
    /// Derived from `edges`: each connected input and the output feeding it.
    private var producerByInput: [PortReference: PortReference]

    /// Builds a graph and checks that every edge joins existing ports.
    public init(
        name: String, version: Int = 11, layers: [Layer] = [], edges: [Edge] = [], weights: [UInt8] = [],
        otherAttributes: [XMLElement.Attribute] = [], otherChildren: [XMLElement] = []
    ) throws {
        self.name = name
        self.version = version
        self.layers = []
        self.edges = []
        self.weights = weights
        self.otherAttributes = otherAttributes
        self.otherChildren = otherChildren
        indexByID = [:]
        producerByInput = [:]
        for layer in layers { try addLayer(layer) }
        for edge in edges { try addEdge(edge) }
    }

    // MARK: Lookup

    /// The layer with id `id`.
    public func layer(_ id: Int) -> Layer? {
        indexByID[id].map { layers[$0] }
    }

    /// The layer with id `id`, or an error saying it does not exist.
    public func requireLayer(_ id: Int) throws -> Layer {
        guard let layer = layer(id) else { throw IRError.invalidOperation("no layer with id \(id)") }
        return layer
    }

    /// The first layer named `name`.
    public func layer(named name: String) -> Layer? {
        layers.first { $0.name == name }
    }

    /// Layers of one type, in file order.
    public func layers(ofType type: String) -> [Layer] {
        layers.filter { $0.type == type }
    }

    /// The output port feeding input `input`, if it is connected.
    public func producer(of input: PortReference) -> PortReference? {
        producerByInput[input]
    }

    /// The input ports fed by output `output`.
    public func consumers(of output: PortReference) -> [PortReference] {
        edges.filter { $0.source == output }.map(\.destination)
    }

    /// The output ports feeding each input of layer `id`, in input port order.
    public func producers(ofLayer id: Int) -> [PortReference?] {
        guard let layer = layer(id) else { return [] }
        return layer.inputs.map { producer(of: PortReference(layer: id, port: $0.id)) }
    }

    /// The port described by `reference`, among inputs or outputs.
    public func port(_ reference: PortReference) -> Port? {
        guard let layer = layer(reference.layer) else { return nil }
        return layer.input(reference.port) ?? layer.output(reference.port)
    }

    /// Layer ids ordered so that every layer comes after all of its producers; ties keep file order.
    public func topologicalOrder() throws -> [Int] {
        var pending = [Int: Int]()
        var successors = [Int: [Int]]()
        for layer in layers { pending[layer.id] = 0 }
        for edge in edges {
            pending[edge.toLayer, default: 0] += 1
            successors[edge.fromLayer, default: []].append(edge.toLayer)
        }
        var ready = layers.filter { pending[$0.id] == 0 }.map { indexByID[$0.id]! }
        var order = [Int]()
        order.reserveCapacity(layers.count)
        // A binary heap would be faster; file order ties keep the output stable and
        // graphs have hundreds of layers, so a sorted ready list is enough.
        while !ready.isEmpty {
            ready.sort(by: >)
            let index = ready.removeLast()
            let id = layers[index].id
            order.append(id)
            for next in successors[id] ?? [] {
                pending[next]! -= 1
                if pending[next] == 0 { ready.append(indexByID[next]!) }
            }
        }
        guard order.count == layers.count else {
            let stuck = layers.first { pending[$0.id]! > 0 }!
            throw IRError.invalidLayer(layer: stuck.label, reason: "is part of a cycle")
        }
        return order
    }

    // MARK: Editing

    /// The smallest id not used by any layer.
    public var nextLayerID: Int { (layers.map(\.id).max() ?? -1) + 1 }

    /// Adds a layer; its id must be new and its port ids unique.
    public mutating func addLayer(_ layer: Layer) throws {
        guard indexByID[layer.id] == nil else {
            throw IRError.invalidLayer(layer: layer.label, reason: "duplicate layer id \(layer.id)")
        }
        let portIDs = (layer.inputs + layer.outputs).map(\.id)
        guard Set(portIDs).count == portIDs.count else {
            throw IRError.invalidLayer(layer: layer.label, reason: "duplicate port ids \(portIDs)")
        }
        indexByID[layer.id] = layers.count
        layers.append(layer)
    }

    /// Adds a layer with a fresh id, numbering its ports inputs first, and returns the id.
    @discardableResult
    public mutating func addLayer(
        type: String, name: String, version: String? = "opset1", data: [XMLElement.Attribute] = [],
        inputs: [(precision: ElementType?, dims: [Int]?)], outputs: [(precision: ElementType?, dims: [Int]?)],
        outputNames: [[String]] = []
    ) -> Int {
        let id = nextLayerID
        let inputPorts = inputs.enumerated().map { Port(id: $0.offset, precision: $0.element.precision, dims: $0.element.dims) }
        let outputPorts = outputs.enumerated().map { index, spec in
            Port(
                id: inputs.count + index, precision: spec.precision, dims: spec.dims,
                names: index < outputNames.count ? outputNames[index] : [])
        }
        let layer = Layer(id: id, name: name, type: type, version: version, data: data, inputs: inputPorts, outputs: outputPorts)
        indexByID[id] = layers.count
        layers.append(layer)
        return id
    }

    /// Replaces a layer by an edited copy with the same id and the same connected ports.
    public mutating func updateLayer(_ layer: Layer) throws {
        guard let index = indexByID[layer.id] else { throw IRError.invalidOperation("no layer with id \(layer.id)") }
        for edge in edges where edge.fromLayer == layer.id && layer.output(edge.fromPort) == nil
            || edge.toLayer == layer.id && layer.input(edge.toPort) == nil
        {
            throw IRError.danglingEdge(edge, reason: "update of \(layer.label) removes a connected port")
        }
        layers[index] = layer
    }

    /// Sets the tensor names of output port `output` (what OpenVINO calls the output by).
    public mutating func setTensorNames(of output: PortReference, _ names: [String]) throws {
        guard let index = indexByID[output.layer], let portIndex = layers[index].outputs.firstIndex(where: { $0.id == output.port })
        else { throw IRError.invalidOperation("no output port \(output)") }
        layers[index].outputs[portIndex].names = names
    }

    /// Connects an output port to an input port; the input must be free.
    public mutating func addEdge(_ edge: Edge) throws {
        guard let from = layer(edge.fromLayer) else { throw IRError.danglingEdge(edge, reason: "no layer \(edge.fromLayer)") }
        guard let to = layer(edge.toLayer) else { throw IRError.danglingEdge(edge, reason: "no layer \(edge.toLayer)") }
        guard from.output(edge.fromPort) != nil else {
            throw IRError.danglingEdge(edge, reason: "\(from.label) has no output port \(edge.fromPort)")
        }
        guard to.input(edge.toPort) != nil else {
            throw IRError.danglingEdge(edge, reason: "\(to.label) has no input port \(edge.toPort)")
        }
        guard producer(of: edge.destination) == nil else {
            throw IRError.danglingEdge(edge, reason: "input port \(edge.toPort) of \(to.label) is already connected")
        }
        edges.append(edge)
        producerByInput[edge.destination] = edge.source
    }

    /// Removes one edge; its input port becomes free.
    public mutating func removeEdge(_ edge: Edge) throws {
        guard let index = edges.firstIndex(of: edge) else {
            throw IRError.danglingEdge(edge, reason: "no such edge to remove")
        }
        edges.remove(at: index)
        producerByInput[edge.destination] = nil
    }

    /// Removes layers and every edge touching them. Their Const data stays in the
    /// weights until `compactWeights()`.
    public mutating func removeLayers(_ ids: Set<Int>) {
        guard !ids.isEmpty else { return }
        layers.removeAll { ids.contains($0.id) }
        edges.removeAll { ids.contains($0.fromLayer) || ids.contains($0.toLayer) }
        indexByID = Dictionary(uniqueKeysWithValues: layers.enumerated().map { ($0.element.id, $0.offset) })
        producerByInput = Dictionary(uniqueKeysWithValues: edges.map { ($0.destination, $0.source) })
    }

    /// Rewrites the weights to hold only the data of the remaining Const layers, in layer
    /// order, and points each Const at its new offset.
    public mutating func compactWeights() throws {
        var compacted = [UInt8]()
        for index in layers.indices where layers[index].type == "Const" {
            let view = try ConstView(layer: layers[index], weightsCount: weights.count)
            let offset = compacted.count
            compacted.append(contentsOf: weights[view.offset..<(view.offset + view.size)])
            layers[index].setAttribute("offset", String(offset))
        }
        weights = compacted
    }

    /// Connects `from` (an output port) to `to` (an input port).
    public mutating func connect(_ from: PortReference, to: PortReference) throws {
        try addEdge(Edge(fromLayer: from.layer, fromPort: from.port, toLayer: to.layer, toPort: to.port))
    }

    /// Puts layer `id` (with at least one input and one output) on `edge`: the edge's
    /// source feeds the layer's first input and the layer's first output feeds the edge's
    /// destination.
    public mutating func insert(layer id: Int, on edge: Edge) throws {
        let inserted = try requireLayer(id)
        guard let input = inserted.inputs.first, let output = inserted.outputs.first else {
            throw IRError.invalidOperation("\(inserted.label) needs an input and an output to sit on an edge")
        }
        guard let index = edges.firstIndex(of: edge) else {
            throw IRError.danglingEdge(edge, reason: "no such edge to insert \(inserted.label) on")
        }
        try removeEdge(edges[index])
        try addEdge(Edge(fromLayer: edge.fromLayer, fromPort: edge.fromPort, toLayer: id, toPort: input.id))
        try addEdge(Edge(fromLayer: id, fromPort: output.id, toLayer: edge.toLayer, toPort: edge.toPort))
    }

    /// Adds a `Result` layer reading output port `output`, so the tensor becomes a model
    /// output; returns the Result's id.
    @discardableResult
    public mutating func addResult(on output: PortReference, name: String) throws -> Int {
        let source = try requireLayer(output.layer)
        guard let port = source.output(output.port) else {
            throw IRError.invalidOperation("\(source.label) has no output port \(output.port)")
        }
        let id = addLayer(type: "Result", name: name, inputs: [(port.precision, port.dims)], outputs: [])
        try connect(output, to: PortReference(layer: id, port: 0))
        return id
    }

    /// Appends bytes to the weights, aligned to `alignment`, and returns their offset.
    public mutating func appendWeights(_ bytes: [UInt8], alignment: Int = 1) -> Int {
        let padding = (alignment - weights.count % alignment) % alignment
        weights.append(contentsOf: repeatElement(0, count: padding))
        let offset = weights.count
        weights.append(contentsOf: bytes)
        return offset
    }

    /// Adds a Const layer holding `bytes` (appended to the weights) and returns its output port.
    @discardableResult
    public mutating func addConst(name: String, elementType: ElementType, shape: [Int], bytes: [UInt8]) throws -> PortReference {
        let elements = shape.reduce(1, *)
        guard bytes.count == elementType.byteCount(elements: elements) else {
            throw IRError.invalidOperation(
                "Const '\(name)': \(bytes.count) bytes do not hold \(elements) \(elementType.constName) elements")
        }
        let offset = appendWeights(bytes, alignment: 1)
        let id = addLayer(
            type: "Const", name: name,
            data: [
                .init("element_type", elementType.constName), .init("shape", shape.map(String.init).joined(separator: ",")),
                .init("offset", String(offset)), .init("size", String(bytes.count)),
            ],
            inputs: [], outputs: [(elementType, shape)])
        return PortReference(layer: id, port: 0)
    }

    /// Where a Const layer's payload lies in the weights, checked against their size.
    public func constView(_ id: Int) throws -> ConstView {
        let layer = try requireLayer(id)
        return try ConstView(layer: layer, weightsCount: weights.count)
    }
}
