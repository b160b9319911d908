import Foundation

/// Two Linux network namespaces joined by a veth pair: two hosts with their own
/// addresses on one machine, so coordinator and worker talk over a real link rather than
/// loopback. Needs root and `ip`; `available` says whether this machine allows it.
final class NetworkNamespacePair {
    /// Namespace and address of the two ends.
    let first: (namespace: String, address: String)
    let second: (namespace: String, address: String)

    static let ip = ["/usr/sbin/ip", "/sbin/ip", "/usr/bin/ip", "/bin/ip"].first { FileManager.default.isExecutableFile(atPath: $0) }

    /// True when namespaces can be created here (root, `ip` present, kernel support);
    /// probed once by creating and deleting one.
    static let available: Bool = {
        guard getuid() == 0, ip != nil else { return false }
        let probe = "calib-probe-\(getpid())"
        guard (try? run(["netns", "add", probe])) != nil else { return false }
        _ = try? run(["netns", "del", probe])
        return true
    }()

    /// Creates both namespaces, the veth pair and the addresses `10.231.<n>.1` and `.2`.
    init() throws {
        let tag = Int(getpid() % 200) + 20
        first = ("calib-a-\(getpid())", "10.231.\(tag).1")
        second = ("calib-b-\(getpid())", "10.231.\(tag).2")
        let (linkA, linkB) = ("cva\(getpid() % 100_000)", "cvb\(getpid() % 100_000)")
        do {
            try Self.run(["netns", "add", first.namespace])
            try Self.run(["netns", "add", second.namespace])
            try Self.run(["link", "add", linkA, "type", "veth", "peer", "name", linkB])
            for (link, end) in [(linkA, first), (linkB, second)] {
                try Self.run(["link", "set", link, "netns", end.namespace])
                try Self.run(["-n", end.namespace, "addr", "add", end.address + "/24", "dev", link])
                try Self.run(["-n", end.namespace, "link", "set", link, "up"])
                try Self.run(["-n", end.namespace, "link", "set", "lo", "up"])
            }
        } catch {
            remove()
            throw error
        }
    }

    deinit {
        remove()
    }

    /// The launcher that runs a program inside `namespace`.
    func launcher(_ namespace: String) -> [String] {
        [Self.ip ?? "ip", "netns", "exec", namespace]
    }

    /// Deletes both namespaces (which destroys the veth pair with them).
    private func remove() {
        for namespace in [first.namespace, second.namespace] {
            _ = try? Self.run(["netns", "del", namespace])
        }
    }

    /// Runs `ip arguments`, throwing with its error output when it fails.
    @discardableResult
    private static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ip ?? "/usr/sbin/ip")
        process.arguments = arguments
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "ip \(arguments.joined(separator: " ")): \(message)"])
        }
        return message
    }
}
