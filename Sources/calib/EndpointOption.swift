import ArgumentParser
import Protocol

/// The `--connect` and `--bind` values: ZeroMQ endpoints, which name their transport
/// (`tcp://host:5555`). A bare `host:5555` reached libzmq and came back as "Invalid
/// argument"; it is refused here in words instead.
enum EndpointOption {
    /// Throws `ValidationError` naming `option` when `text` has no transport, or is `tcp`
    /// without a host or a port.
    static func require(_ text: String, option: String) throws {
        let endpoint = ZMQEndpoint(text)
        let complete = endpoint.transport == "tcp" ? !endpoint.host.isEmpty && !(endpoint.port ?? "").isEmpty : !endpoint.transport.isEmpty
        guard complete else {
            throw ValidationError("\(option) takes a ZeroMQ endpoint such as tcp://HOST:5555, not '\(text)'")
        }
    }
}
