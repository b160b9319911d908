/// Reads an OpenVINO IR (v10 or v11) from the bytes of its `.xml` and `.bin` files.
///
/// Everything calib does not interpret is kept for writing back: attributes of `<net>`,
/// `<layer>` and `<port>` beyond the typed ones, `<rt_info>` elements, and sections of
/// `<net>` such as `<meta_data>` (including the `<data_type value="DIR"/>` of old
/// converters), `<quantization_parameters>` or `<statistics>`. Kept elements carry
/// `line` 0, so a graph compares equal however its file was laid out.
///
/// Every Const layer is checked against the weights, and every edge must join an
/// output port to an input port of existing layers.
public enum IRReader {
    public static func read(xml: [UInt8], weights: [UInt8]) throws -> IRGraph {
        try graph(from: XMLTreeParser.parse(xml), weights: weights)
    }

    /// Builds the graph from an already parsed `<net>` element.
    public static func graph(from net: XMLElement, weights: [UInt8]) throws -> IRGraph {
        guard net.name == "net" else {
            throw IRError.invalidNetwork("the root element is <\(net.name)>, not <net>")
        }
        guard let versionText = net[attribute: "version"] else {
            throw IRError.invalidNetwork("<net> has no 'version' attribute")
        }
        guard let version = Int(versionText.trimmed), version == 10 || version == 11 else {
            throw IRError.invalidNetwork("IR version '\(versionText)' is not supported (calib reads versions 10 and 11)")
        }

        var layersElement: XMLElement?
        var edgesElement: XMLElement?
        var otherChildren: [XMLElement] = []
        for child in net.children {
            switch child.name {
            case "layers":
                guard layersElement == nil else {
                    throw IRError.invalidNetwork("<net> has a second <layers> at line \(child.line)")
                }
                layersElement = child
            case "edges":
                guard edgesElement == nil else {
                    throw IRError.invalidNetwork("<net> has a second <edges> at line \(child.line)")
                }
                edgesElement = child
            default:
                otherChildren.append(withoutLines(child))
            }
        }
        guard let layersElement else { throw IRError.invalidNetwork("<net> has no <layers>") }
        guard let edgesElement else { throw IRError.invalidNetwork("<net> has no <edges>") }

        var layers: [Layer] = []
        layers.reserveCapacity(layersElement.children.count)
        for child in layersElement.children {
            guard child.name == "layer" else {
                throw IRError.invalidNetwork("unexpected <\(child.name)> at line \(child.line) in <layers>")
            }
            let layer = try self.layer(from: child)
            if layer.type == "Const" {
                _ = try ConstView(layer: layer, weightsCount: weights.count)
            }
            layers.append(layer)
        }

        var edges: [Edge] = []
        edges.reserveCapacity(edgesElement.children.count)
        for child in edgesElement.children {
            guard child.name == "edge" else {
                throw IRError.invalidNetwork("unexpected <\(child.name)> at line \(child.line) in <edges>")
            }
            edges.append(try edge(from: child))
        }

        return try IRGraph(
            name: net[attribute: "name"] ?? "", version: version, layers: layers, edges: edges, weights: weights,
            otherAttributes: net.attributes.filter { $0.name != "name" && $0.name != "version" },
            otherChildren: otherChildren)
    }

    // MARK: Layers

    private static func layer(from element: XMLElement) throws -> Layer {
        // Until id, name and type are known, errors name the layer by its line.
        let name = element[attribute: "name"]
        let provisionalLabel = name.map { "'\($0)' at line \(element.line)" } ?? "layer at line \(element.line)"
        guard let idText = element[attribute: "id"] else {
            throw IRError.invalidLayer(layer: provisionalLabel, reason: "missing attribute 'id'")
        }
        guard let id = Int(idText.trimmed) else {
            throw IRError.invalidLayer(layer: provisionalLabel, reason: "attribute 'id'='\(idText)' is not an integer")
        }
        // OpenVINO's ids are 32-bit; the bound also leaves room for the layers calib adds.
        guard (0...Int(Int32.max)).contains(id) else {
            throw IRError.invalidLayer(layer: provisionalLabel, reason: "attribute 'id'=\(id) is outside 0...\(Int32.max)")
        }
        guard let name else {
            throw IRError.invalidLayer(layer: "layer id \(id) at line \(element.line)", reason: "missing attribute 'name'")
        }
        guard let type = element[attribute: "type"] else {
            throw IRError.invalidLayer(layer: "'\(name)' (id \(id))", reason: "missing attribute 'type'")
        }

        var layer = Layer(
            id: id, name: name, type: type, version: element[attribute: "version"],
            otherAttributes: element.attributes.filter { !["id", "name", "type", "version"].contains($0.name) })
        var seenData = false
        var seenInput = false
        var seenOutput = false
        for child in element.children {
            switch child.name {
            case "data":
                guard !seenData else { throw IRError.invalidLayer(layer: layer.label, reason: "more than one <data>") }
                guard child.children.isEmpty, child.text.isEmpty else {
                    throw IRError.invalidLayer(layer: layer.label, reason: "<data> at line \(child.line) has content")
                }
                seenData = true
                layer.data = child.attributes
            case "input":
                guard !seenInput else { throw IRError.invalidLayer(layer: layer.label, reason: "more than one <input>") }
                seenInput = true
                layer.inputs = try ports(in: child, of: layer)
            case "output":
                guard !seenOutput else { throw IRError.invalidLayer(layer: layer.label, reason: "more than one <output>") }
                seenOutput = true
                layer.outputs = try ports(in: child, of: layer)
            default:
                layer.otherChildren.append(withoutLines(child))
            }
        }
        return layer
    }

    private static func ports(in list: XMLElement, of layer: Layer) throws -> [Port] {
        guard list.text.isEmpty else {
            throw IRError.invalidLayer(layer: layer.label, reason: "<\(list.name)> at line \(list.line) has text")
        }
        return try list.children.map { child in
            guard child.name == "port" else {
                throw IRError.invalidLayer(
                    layer: layer.label, reason: "unexpected <\(child.name)> at line \(child.line) in <\(list.name)>")
            }
            return try port(from: child, of: layer)
        }
    }

    private static func port(from element: XMLElement, of layer: Layer) throws -> Port {
        guard let idText = element[attribute: "id"] else {
            throw IRError.invalidLayer(layer: layer.label, reason: "port at line \(element.line) has no 'id'")
        }
        guard let id = Int(idText.trimmed) else {
            throw IRError.invalidLayer(layer: layer.label, reason: "port id '\(idText)' at line \(element.line) is not an integer")
        }
        var port = Port(id: id)
        for attribute in element.attributes {
            switch attribute.name {
            case "id":
                break
            case "precision":
                guard let precision = ElementType(irName: attribute.value) else {
                    throw IRError.invalidLayer(
                        layer: layer.label, reason: "unknown element type '\(attribute.value)' on port \(id)")
                }
                port.precision = precision
            case "names":
                port.names = splitNames(attribute.value)
            default:
                port.otherAttributes.append(attribute)
            }
        }
        var dims: [Int] = []
        var hasDims = false
        for child in element.children {
            if child.name == "dim" {
                let text = child.text
                let value: Int
                if text == "?" || text == "-1" {
                    value = -1
                } else if let number = Int(text), number >= 0 {
                    value = number
                } else {
                    throw IRError.invalidLayer(
                        layer: layer.label, reason: "dimension '\(text)' of port \(id) is not an integer")
                }
                dims.append(value)
                hasDims = true
            } else {
                port.otherChildren.append(withoutLines(child))
            }
        }
        // No <dim> at all reads as nil: the file cannot tell a scalar from omitted dims.
        port.dims = hasDims ? dims : nil
        return port
    }

    /// Splits a `names` attribute at commas; `\,` stands for a comma inside a name.
    static func splitNames(_ text: String) -> [String] {
        guard !text.isEmpty else { return [] }
        var names: [String] = []
        var current = ""
        var scalars = text.unicodeScalars.makeIterator()
        var pending = scalars.next()
        while let scalar = pending {
            pending = scalars.next()
            if scalar == "\\", pending == "," {
                current.unicodeScalars.append(",")
                pending = scalars.next()
            } else if scalar == "," {
                names.append(current)
                current = ""
            } else {
                current.unicodeScalars.append(scalar)
            }
        }
        names.append(current)
        return names
    }

    // MARK: Edges

    private static func edge(from element: XMLElement) throws -> Edge {
        func number(_ name: String) throws -> Int {
            guard let text = element[attribute: name] else {
                throw IRError.invalidNetwork("<edge> at line \(element.line) has no '\(name)'")
            }
            guard let value = Int(text.trimmed) else {
                throw IRError.invalidNetwork("<edge> at line \(element.line): '\(name)'='\(text)' is not an integer")
            }
            return value
        }
        return try Edge(
            fromLayer: number("from-layer"), fromPort: number("from-port"), toLayer: number("to-layer"),
            toPort: number("to-port"))
    }

    /// The element with `line` cleared throughout (its depth is bounded by the parser).
    private static func withoutLines(_ element: XMLElement) -> XMLElement {
        var copy = element
        copy.line = 0
        copy.children = element.children.map(withoutLines)
        return copy
    }
}
