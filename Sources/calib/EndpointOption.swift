import ArgumentParser
import Protocol

/// The `--connect` and `--bind` values: ZeroMQ endpoints, which name their transport
/// (`tcp://host:5555`). A bare `host:5555` reached libzmq and came back as "Invalid
/// argument"; it is refused here in words instead.
enum EndpointOption {
    /// Throws `ValidationError` naming `option` when `text` has no transport, or is `tcp`
    /// without a host or a port, or with a port out of range: 1-65535 to connect (libzmq
    /// accepts 99999 there and retries it for ever), 0-65535 or `*` (any free port) to bind.
    static func require(_ text: String, option: String) throws {
        let endpoint = ZMQEndpoint(text)
        let complete = endpoint.transport == "tcp" ? !endpoint.host.isEmpty && !(endpoint.port ?? "").isEmpty : !endpoint.transport.isEmpty
        guard complete else {
            throw ValidationError("\(option) takes a ZeroMQ endpoint such as tcp://HOST:5555, not '\(text)'")
        }
        let binding = option == "--bind"
        if endpoint.transport == "tcp", let port = endpoint.port, !(binding && port == "*"),
            !(Int(port).map { (binding ? 0 : 1)...65535 ~= $0 } ?? false)
        {
            throw ValidationError("\(option) \(text): the port must be \(binding ? "* or 0" : "1") to 65535")
        }
    }
}
