/// A parsed XML element: the generic tree under the IR's typed model. Parts of an IR
/// that calib does not interpret (`rt_info`, `meta_data`, unknown sections) are kept
/// as these trees so that writing the IR back loses nothing.
public struct XMLElement: Sendable, Equatable {
    /// One attribute; order is kept as in the source so output stays diffable.
    public struct Attribute: Sendable, Equatable {
        public var name: String
        public var value: String

        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public var name: String
    public var attributes: [Attribute]
    public var children: [XMLElement]
    /// Character data directly inside this element, with surrounding whitespace removed.
    public var text: String
    /// 1-based line of the start tag in the source, 0 for elements built in code.
    public var line: Int

    public init(
        name: String, attributes: [Attribute] = [], children: [XMLElement] = [], text: String = "", line: Int = 0
    ) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
    }

    /// The value of attribute `name`, if present.
    public subscript(attribute name: String) -> String? {
        get { attributes.first { $0.name == name }?.value }
        set {
            if let index = attributes.firstIndex(where: { $0.name == name }) {
                if let newValue { attributes[index].value = newValue } else { attributes.remove(at: index) }
            } else if let newValue {
                attributes.append(Attribute(name, newValue))
            }
        }
    }

    /// The first child element called `name`.
    public func child(_ name: String) -> XMLElement? {
        children.first { $0.name == name }
    }

    /// All child elements called `name`, in document order.
    public func children(_ name: String) -> [XMLElement] {
        children.filter { $0.name == name }
    }
}
