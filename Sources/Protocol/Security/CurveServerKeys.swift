/// What a coordinator needs to serve over CURVE: its own key pair, and the public keys
/// of the workers (and status clients) it admits. The admission itself is the job of a
/// ``ZAPHandler`` that must exist before the socket binds.
public struct CurveServerKeys: Sendable {
    public let keyPair: CurveKeyPair
    public let authorized: AuthorizedKeys

    public init(keyPair: CurveKeyPair, authorized: AuthorizedKeys) {
        self.keyPair = keyPair
        self.authorized = authorized
    }

    /// Makes `socket` a CURVE server with this key pair; call before `bind`.
    public func configure(_ socket: ZMQSocket) throws {
        try socket.setOption(.curveServer, 1)
        try socket.setOption(.curveSecretKey, Array(keyPair.secretKey.utf8))
    }
}

/// What a worker or status client needs to reach a CURVE coordinator: its own key pair
/// (whose public key is in the coordinator's authorized keys) and the coordinator's
/// public key.
public struct CurveClientKeys: Sendable {
    public let keyPair: CurveKeyPair
    public let serverPublicKey: String

    public init(keyPair: CurveKeyPair, serverPublicKey: String) {
        self.keyPair = keyPair
        self.serverPublicKey = serverPublicKey
    }

    /// Makes `socket` a CURVE client of the server; call before `connect`.
    public func configure(_ socket: ZMQSocket) throws {
        try socket.setOption(.curveServerKey, Array(serverPublicKey.utf8))
        try socket.setOption(.curvePublicKey, Array(keyPair.publicKey.utf8))
        try socket.setOption(.curveSecretKey, Array(keyPair.secretKey.utf8))
    }
}
