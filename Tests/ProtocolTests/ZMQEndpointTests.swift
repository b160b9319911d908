import Protocol
import Testing

/// Endpoints are read the way libzmq reads them, IPv6 literals included, so the
/// loopback-only rule for unencrypted coordinators neither refuses `[::1]` nor admits
/// a public address.
struct ZMQEndpointTests {
    @Test func tcpHostsAndPortsIPv6Included() {
        let v6 = ZMQEndpoint("tcp://[::1]:5555")
        #expect(v6.transport == "tcp" && v6.host == "::1" && v6.port == "5555" && v6.isIPv6)
        let v4 = ZMQEndpoint("tcp://127.0.0.1:*")
        #expect(v4.host == "127.0.0.1" && v4.port == "*" && !v4.isIPv6)
        #expect(ZMQEndpoint("tcp://coordinator.local:5555").host == "coordinator.local")
        #expect(ZMQEndpoint("ipc:///tmp/calib.sock").host == "/tmp/calib.sock")
        #expect(ZMQEndpoint("localhost:5555").transport == "")
    }

    @Test func loopbackIsLocalhostTheWhole127NetworkAndColonColonOne() {
        for text in [
            "tcp://127.0.0.1:5555", "tcp://127.3.2.1:1", "tcp://localhost:5555", "tcp://[::1]:5555",
            "tcp://[0:0:0:0:0:0:0:1]:5555", "ipc:///tmp/x", "inproc://calib",
        ] {
            #expect(ZMQEndpoint(text).isLoopback, "\(text)")
        }
        for text in [
            "tcp://0.0.0.0:5555", "tcp://*:5555", "tcp://[::]:5555", "tcp://10.0.0.1:5555", "tcp://[::2]:5555",
            "tcp://128.0.0.1:5555", "tcp://eth0:5555", "tcp://127.0.0.1.example.com:5555", "udp://127.0.0.1:5555",
            "127.0.0.1:5555",
        ] {
            #expect(!ZMQEndpoint(text).isLoopback, "\(text)")
        }
    }

    @Test func anIPv6LoopbackEndpointBindsAndCarriesMessages() throws {
        let context = try ZMQContext()
        let server = try ZMQSocket(context: context, kind: .router)
        defer { server.close() }
        try server.bind("tcp://[::1]:*")
        let endpoint = try server.lastEndpoint
        #expect(endpoint.hasPrefix("tcp://[::1]:"))
        let client = try ZMQSocket(context: context, kind: .dealer)
        defer { client.close() }
        try client.setOption(.receiveTimeout, 10_000)
        try server.setOption(.receiveTimeout, 10_000)
        try client.connect(endpoint)
        try client.send([[1, 2, 3]])
        let frames = try #require(try server.receive())
        #expect(frames.last == [1, 2, 3])
    }

    @Test func aHostNameThatDoesNotResolveIsToldApartFromOneThatDoes() {
        // `.invalid` never resolves (RFC 6761).
        #expect(ZMQEndpoint("tcp://calib-no-such-host.invalid:5555").hostResolutionFailure() != nil)
        for resolvable in ["tcp://localhost:5555", "tcp://127.0.0.1:5555", "tcp://[::1]:5555", "tcp://*:5555", "ipc:///tmp/calib"] {
            #expect(ZMQEndpoint(resolvable).hostResolutionFailure() == nil, "\(resolvable)")
        }
    }
}
