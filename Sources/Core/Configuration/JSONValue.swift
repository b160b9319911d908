/// A JSON value as read from a configuration file, keeping numbers as `Double` and
/// objects as dictionaries (key order is not needed).
public enum JSONValue: Sendable, Equatable, Decodable {
    case object([String: JSONValue])
    case array([JSONValue])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The members of an object; nil for other values.
    public var object: [String: JSONValue]? {
        if case let .object(members) = self { return members }
        return nil
    }

    /// The elements of an array; nil for other values.
    public var array: [JSONValue]? {
        if case let .array(elements) = self { return elements }
        return nil
    }

    /// A string's text; nil for other values.
    public var string: String? {
        if case let .string(text) = self { return text }
        return nil
    }

    /// A number; nil for other values.
    public var number: Double? {
        if case let .number(value) = self { return value }
        return nil
    }

    /// A Boolean; nil for other values.
    public var bool: Bool? {
        if case let .bool(value) = self { return value }
        return nil
    }
}
