/// One operation of an IR: its type, the attributes of its `<data>` element and its ports.
public struct Layer: Sendable, Equatable {
    public var id: Int
    public var name: String
    /// The operation type, e.g. `Convolution`, `Const`, `Result`.
    public var type: String
    /// The opset, e.g. `opset1`; absent in some v10 files.
    public var version: String?
    /// The attributes of `<data>`, in file order, as written.
    public var data: [XMLElement.Attribute]
    public var inputs: [Port]
    public var outputs: [Port]
    /// Attributes of `<layer>` calib does not interpret, kept for writing back.
    public var otherAttributes: [XMLElement.Attribute]
    /// Child elements other than `<data>`, `<input>` and `<output>` (for example `<rt_info>`).
    public var otherChildren: [XMLElement]

    public init(
        id: Int, name: String, type: String, version: String? = "opset1", data: [XMLElement.Attribute] = [],
        inputs: [Port] = [], outputs: [Port] = [], otherAttributes: [XMLElement.Attribute] = [],
        otherChildren: [XMLElement] = []
    ) {
        self.id = id
        self.name = name
        self.type = type
        self.version = version
        self.data = data
        self.inputs = inputs
        self.outputs = outputs
        self.otherAttributes = otherAttributes
        self.otherChildren = otherChildren
    }

    /// How error messages name this layer: `'conv1' (id 3, Convolution)`.
    public var label: String { "'\(name)' (id \(id), \(type))" }

    /// The input port with id `port`.
    public func input(_ port: Int) -> Port? { inputs.first { $0.id == port } }

    /// The output port with id `port`.
    public func output(_ port: Int) -> Port? { outputs.first { $0.id == port } }

    /// The raw value of `<data>` attribute `name`.
    public func attribute(_ name: String) -> String? {
        data.first { $0.name == name }?.value
    }

    /// Sets (or adds) `<data>` attribute `name`.
    public mutating func setAttribute(_ name: String, _ value: String) {
        if let index = data.firstIndex(where: { $0.name == name }) {
            data[index].value = value
        } else {
            data.append(XMLElement.Attribute(name, value))
        }
    }

    /// The attribute as text; throws naming the layer when it is missing.
    public func string(_ name: String) throws -> String {
        guard let value = attribute(name) else {
            throw IRError.invalidLayer(layer: label, reason: "missing attribute '\(name)'")
        }
        return value
    }

    /// The attribute as one integer.
    public func int(_ name: String) throws -> Int {
        let text = try string(name)
        guard let value = Int(text.trimmed) else {
            throw IRError.invalidLayer(layer: label, reason: "attribute '\(name)'='\(text)' is not an integer")
        }
        return value
    }

    /// The attribute as a comma-separated integer list (`"1,1"`); empty text is an empty list.
    public func ints(_ name: String) throws -> [Int] {
        let text = try string(name)
        if text.trimmed.isEmpty { return [] }
        return try text.split(separator: ",").map { part in
            guard let value = Int(part.trimmed) else {
                throw IRError.invalidLayer(layer: label, reason: "attribute '\(name)'='\(text)' is not an integer list")
            }
            return value
        }
    }

    /// The attribute as one floating-point number.
    public func double(_ name: String) throws -> Double {
        let text = try string(name)
        guard let value = Double(text.trimmed) else {
            throw IRError.invalidLayer(layer: label, reason: "attribute '\(name)'='\(text)' is not a number")
        }
        return value
    }
}

extension StringProtocol {
    /// The text without leading and trailing spaces, tabs and line breaks.
    var trimmed: String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
