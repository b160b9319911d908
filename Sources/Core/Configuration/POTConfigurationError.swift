/// Why a POT configuration file cannot be used; each case is one line naming the key.
public enum POTConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The text is not JSON, even with comments and trailing commas allowed.
    case syntax(String)
    /// Keys whose values would change the quantized model and that calib does not
    /// support, all of them (dotted paths with their values).
    case unsupported([String])
    /// A key with a value of the wrong kind, or a required key that is missing.
    case invalid(key: String, reason: String)

    public var description: String {
        switch self {
        case let .syntax(reason):
            "not a POT configuration (JSON with comments): \(reason)"
        case let .unsupported(keys):
            "settings calib does not support, which would change the int8 model: \(keys.joined(separator: "; "))"
        case let .invalid(key, reason):
            "\(key): \(reason)"
        }
    }
}
