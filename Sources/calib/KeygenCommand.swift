import ArgumentParser
import Foundation
import Protocol

/// `calib keygen`: creates a CURVE key pair for encrypted, authenticated
/// coordinator–worker traffic.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Generate a CURVE key pair for a coordinator or worker.",
        discussion: """
            Writes the key pair to PATH (readable by you only) and the public key alone to PATH.pub, \
            then prints the public key. The coordinator admits a worker when the worker's PATH.pub line \
            is in its authorized keys file; workers name the coordinator by its PATH.pub (--server-key).
            """
    )

    @Option(help: ArgumentHelp("Key-pair file to write (permission 0600); the public key also goes to PATH.pub.", valueName: "path"))
    var output: String

    @Option(help: ArgumentHelp("A name written after the key in PATH.pub, shown in the coordinator's log (e.g. the host).", valueName: "name"))
    var name: String?

    @Flag(help: "Replace PATH and PATH.pub if they exist.")
    var force = false

    /// The `.pub` file written next to the key-pair file.
    private var publicPath: String { output + ".pub" }

    func validate() throws {
        guard !output.hasSuffix(".pub") else {
            throw ValidationError(
                "--output names the key-pair file, which holds the secret key; the public key goes to PATH.pub next to it: "
                    + "give \(output.dropLast(".pub".count))")
        }
        var isDirectory: ObjCBool = false
        if output.hasSuffix("/") || (FileManager.default.fileExists(atPath: output, isDirectory: &isDirectory) && isDirectory.boolValue) {
            throw ValidationError("--output \(output) is a folder; name the key-pair file, e.g. \(output.hasSuffix("/") ? output : output + "/")worker.key")
        }
        guard !force else { return }
        // Both are checked before anything is written, so that an existing .pub
        // cannot leave a new key pair without its public half.
        for path in [output, publicPath] where FileManager.default.fileExists(atPath: path) {
            throw ValidationError("\(path) already exists; pass --force to replace it (the old key stops working)")
        }
    }

    func run() throws {
        let pair = try CurveKeyPair.generate()
        try CurveKeyFile.write(pair, to: output, overwrite: force)
        try CurveKeyFile.writePublicKey(pair.publicKey, name: name, to: publicPath, overwrite: force)
        print(pair.publicKey)
        FileHandle.standardError.write(Data((
            "wrote \(output) (secret, 0600) and \(publicPath): add a worker's .pub line to the coordinator's "
                + "authorized keys file; give the coordinator's .pub to workers as --server-key\n").utf8))
    }
}
