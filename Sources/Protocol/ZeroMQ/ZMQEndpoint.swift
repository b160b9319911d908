#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A ZeroMQ endpoint (`transport://address`) taken apart, so that policy such as "an
/// unencrypted coordinator binds to loopback only" reads the host the way libzmq does,
/// IPv6 literals in brackets (`tcp://[::1]:5555`) included.
public struct ZMQEndpoint: Sendable, Equatable {
    /// `tcp`, `ipc`, `inproc`, ...; empty when the text has no `://`.
    public let transport: String
    /// For `tcp`, the host without brackets (`127.0.0.1`, `::1`, `*`, a name); else the address.
    public let host: String
    /// For `tcp`, the port text after the host (`5555`, `*`), nil when there is none.
    public let port: String?

    public init(_ text: String) {
        guard let separator = text.range(of: "://") else {
            transport = ""
            host = text
            port = nil
            return
        }
        transport = String(text[..<separator.lowerBound])
        let address = String(text[separator.upperBound...])
        guard transport == "tcp" else {
            host = address
            port = nil
            return
        }
        if address.hasPrefix("["), let close = address.firstIndex(of: "]") {
            host = String(address[address.index(after: address.startIndex)..<close])
            let rest = address[address.index(after: close)...]
            port = rest.hasPrefix(":") ? String(rest.dropFirst()) : nil
        } else if let colon = address.lastIndex(of: ":") {
            host = String(address[..<colon])
            port = String(address[address.index(after: colon)...])
        } else {
            host = address
            port = nil
        }
    }

    /// True when the host is an IPv6 literal, which libzmq reaches only with `ZMQ_IPV6` on.
    public var isIPv6: Bool {
        transport == "tcp" && host.contains(":")
    }

    /// For a `tcp` endpoint whose host is a name, why the name does not resolve (the
    /// resolver's words, e.g. "Name or service not known"); nil when it resolves, or there
    /// is nothing to resolve. libzmq retries an unresolvable name without a word.
    public func hostResolutionFailure() -> String? {
        guard transport == "tcp", host != "*", !host.isEmpty else { return nil }
        var hints = addrinfo()
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var found: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, nil, &hints, &found)
        if let found { freeaddrinfo(found) }
        return status == 0 ? nil : String(cString: gai_strerror(status))
    }

    /// True when only processes of this machine can reach the endpoint: `ipc` and
    /// `inproc`, or `tcp` on `localhost`, 127.0.0.0/8 or `::1`.
    public var isLoopback: Bool {
        switch transport {
        case "ipc", "inproc": return true
        case "tcp": break
        default: return false
        }
        if host == "localhost" { return true }
        var v4 = in_addr()
        if inet_pton(AF_INET, host, &v4) == 1 {
            return UInt32(bigEndian: v4.s_addr) >> 24 == 127
        }
        var v6 = in6_addr()
        if inet_pton(AF_INET6, host, &v6) == 1 {
            return withUnsafeBytes(of: &v6) { bytes in bytes.dropLast().allSatisfy { $0 == 0 } && bytes.last == 1 }
        }
        return false
    }
}
