import ArgumentParser
import Protocol

/// The CURVE keys of a client of a coordinator that requires them (`calib worker`,
/// `calib status`).
struct ClientKeyOptions: ParsableArguments {
    @Option(help: ArgumentHelp("This client's key-pair file (from calib keygen); its public key must be in the coordinator's authorized keys.", valueName: "path"))
    var secretKey: String?

    // A Z85 key may start with '-'.
    @Option(parsing: .unconditional, help: ArgumentHelp("The coordinator's public key: its .pub file or the 40-character key.", valueName: "file-or-key"))
    var serverKey: String?

    func validate() throws {
        guard (secretKey == nil) == (serverKey == nil) else {
            throw ValidationError("--secret-key and --server-key go together: CURVE needs both this client's key pair and the coordinator's public key")
        }
    }

    /// The keys, or nil for a plain connection.
    func keys() throws -> CurveClientKeys? {
        guard let secretKey, let serverKey else { return nil }
        return CurveClientKeys(
            keyPair: try CommandFailure.reading("--secret-key") { try CurveKeyFile.read(path: secretKey) },
            serverPublicKey: try CommandFailure.reading("--server-key") { try CurveKeyFile.publicKey(fromFileOrText: serverKey) })
    }
}
