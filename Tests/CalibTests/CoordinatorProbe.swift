import Foundation
import Protocol
import Testing

/// What tests ask a running coordinator process: a free port to bind it to, and its
/// status as `calib status --json` reports it.
enum CoordinatorProbe {
    /// A loopback endpoint on a port that was free a moment ago.
    static func freeEndpoint() throws -> String {
        let context = try ZMQContext()
        let socket = try ZMQSocket(context: context, kind: .router)
        defer { socket.close() }
        try socket.bind("tcp://127.0.0.1:*")
        return try socket.lastEndpoint
    }

    /// What `calib status --json` says about the coordinator at `endpoint`, or nil when it
    /// did not answer within 10 s (still starting: reading and hashing the model).
    static func status(_ endpoint: String) throws -> ClusterStatus? {
        let run = try CalibProcess.run(["status", "--connect", endpoint, "--json", "--timeout", "10"])
        guard run.status == 0 else {
            #expect(run.standardError.contains("no answer from a coordinator"), "\(run.standardError)")
            return nil
        }
        return try JSONDecoder().decode(ClusterStatus.self, from: Data(run.standardOutput.utf8))
    }

    /// Asks for the status until `condition` holds; fails after `timeout` seconds.
    static func waitForStatus(_ endpoint: String, timeout: Double, until condition: (ClusterStatus) -> Bool) throws -> ClusterStatus {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let current = try status(endpoint)
            if let current, condition(current) { return current }
            guard Date() < deadline else {
                Issue.record("status never reached the condition: \(String(describing: current))")
                return try #require(current)
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
    }
}
