/// Writes an `IRGraph` as the `.xml` of an OpenVINO IR; the `.bin` is `graph.weights`
/// as it is. `IRReader` reads the output back to an equal graph, and writing that graph
/// again gives the same bytes.
public enum IRWriter {
    public static func xml(of graph: IRGraph) -> [UInt8] {
        XMLTreeWriter.write(element(of: graph))
    }

    /// The `<net>` element of `graph`: `<layers>` and `<edges>` in graph order, then the
    /// net's other children.
    public static func element(of graph: IRGraph) -> XMLElement {
        let layers = XMLElement(name: "layers", children: graph.layers.map(element(of:)))
        let edges = XMLElement(
            name: "edges",
            children: graph.edges.map { edge in
                XMLElement(
                    name: "edge",
                    attributes: [
                        .init("from-layer", String(edge.fromLayer)), .init("from-port", String(edge.fromPort)),
                        .init("to-layer", String(edge.toLayer)), .init("to-port", String(edge.toPort)),
                    ])
            })
        return XMLElement(
            name: "net",
            attributes: [.init("name", graph.name), .init("version", String(graph.version))]
                + others(graph.otherAttributes, excluding: ["name", "version"]),
            children: [layers, edges] + graph.otherChildren)
    }

    /// One `<layer>`: `<data>`, `<input>` and `<output>` only when they have content.
    public static func element(of layer: Layer) -> XMLElement {
        var attributes: [XMLElement.Attribute] = [
            .init("id", String(layer.id)), .init("name", layer.name), .init("type", layer.type),
        ]
        if let version = layer.version { attributes.append(.init("version", version)) }
        attributes += others(layer.otherAttributes, excluding: ["id", "name", "type", "version"])

        var children: [XMLElement] = []
        if !layer.data.isEmpty { children.append(XMLElement(name: "data", attributes: layer.data)) }
        if !layer.inputs.isEmpty { children.append(XMLElement(name: "input", children: layer.inputs.map(element(of:)))) }
        if !layer.outputs.isEmpty {
            children.append(XMLElement(name: "output", children: layer.outputs.map(element(of:))))
        }
        children += layer.otherChildren
        return XMLElement(name: "layer", attributes: attributes, children: children)
    }

    /// One `<port>` with its `<dim>`s, then its other children.
    public static func element(of port: Port) -> XMLElement {
        var attributes: [XMLElement.Attribute] = [.init("id", String(port.id))]
        if let precision = port.precision { attributes.append(.init("precision", precision.precisionName)) }
        if !port.names.isEmpty { attributes.append(.init("names", joinNames(port.names))) }
        attributes += others(port.otherAttributes, excluding: ["id", "precision", "names"])
        let dims = (port.dims ?? []).map { XMLElement(name: "dim", text: String($0)) }
        return XMLElement(name: "port", attributes: attributes, children: dims + port.otherChildren)
    }

    /// Joins tensor names with commas, writing a comma inside a name as `\,`.
    static func joinNames(_ names: [String]) -> String {
        var text = ""
        for (index, name) in names.enumerated() {
            if index > 0 { text.unicodeScalars.append(",") }
            for scalar in name.unicodeScalars {
                if scalar == "," { text.unicodeScalars.append("\\") }
                text.unicodeScalars.append(scalar)
            }
        }
        return text
    }

    /// Extra attributes without those the typed fields write (which win on a clash).
    private static func others(_ attributes: [XMLElement.Attribute], excluding names: Set<String>) -> [XMLElement.Attribute] {
        attributes.filter { !names.contains($0.name) }
    }
}
