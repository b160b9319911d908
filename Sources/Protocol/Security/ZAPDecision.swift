/// What a ``ZAPHandler`` decided about one peer's handshake, reported so that
/// the server can log who was admitted or refused.
public struct ZAPDecision: Sendable, Equatable, CustomStringConvertible {
    /// The peer's CURVE public key, Z85; empty for other mechanisms (which
    /// are always refused) and for requests too malformed to name one.
    public let publicKey: String
    /// The peer's address, e.g. `10.0.0.7` (no port).
    public let address: String
    /// Whether the peer was admitted.
    public let allowed: Bool
    /// The key's name from the authorized-keys file, if it has one.
    public let name: String?
    /// The security mechanism the peer used, e.g. `CURVE`.
    public let mechanism: String

    /// Creates a decision record.
    public init(publicKey: String, address: String, allowed: Bool, name: String?, mechanism: String = "CURVE") {
        self.publicKey = publicKey
        self.address = address
        self.allowed = allowed
        self.name = name
        self.mechanism = mechanism
    }

    /// One log line, e.g. `admitted CURVE key <key> (gpu-node-1) from 10.0.0.7`.
    public var description: String {
        let verdict = allowed ? "admitted" : "refused"
        guard mechanism == "CURVE" else { return "\(verdict) a \(mechanism) handshake from \(address): only CURVE is accepted" }
        let label = name.map { " (\($0))" } ?? (allowed ? "" : " (not in the authorized keys)")
        return "\(verdict) CURVE key \(publicKey)\(label) from \(address)"
    }
}
