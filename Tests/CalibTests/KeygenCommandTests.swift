import Foundation
import Protocol
import Testing

/// `calib keygen` as a user runs it: the files it writes, what it prints, and
/// its refusal to replace a key by accident.
struct KeygenCommandTests {
    @Test func writesAPrivateKeyPairAndItsPublicKeyAndRefusesToOverwrite() throws {
        let folder = try CalibProcess.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("worker.key").path

        let made = try CalibProcess.run(["keygen", "--output", path, "--name", "gpu-node-1"])
        try #require(made.status == 0, "\(made.standardError)")
        let pair = try CurveKeyFile.read(path: path)
        #expect(made.standardOutput == pair.publicKey + "\n")
        #expect(made.standardError.contains("authorized keys"))
        #expect(made.standardError.contains("--server-key"))
        #expect(try String(contentsOfFile: path + ".pub", encoding: .utf8) == "\(pair.publicKey) gpu-node-1\n")
        #expect(try CurveKeyFile.publicKey(fromFileOrText: path + ".pub") == pair.publicKey)
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)

        let again = try CalibProcess.run(["keygen", "--output", path])
        #expect(again.status != 0)
        #expect(again.standardError.contains("already exists; pass --force"))
        #expect(try CurveKeyFile.read(path: path) == pair)

        let forced = try CalibProcess.run(["keygen", "--output", path, "--force"])
        try #require(forced.status == 0, "\(forced.standardError)")
        let replaced = try CurveKeyFile.read(path: path)
        #expect(replaced != pair)
        #expect(try String(contentsOfFile: path + ".pub", encoding: .utf8) == replaced.publicKey + "\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["worker.key", "worker.key.pub"])

        // A .pub name or a folder is not where a key pair goes; nothing is written.
        let pub = try CalibProcess.run(["keygen", "--output", path + ".pub", "--force"])
        #expect(pub.status == 64)
        #expect(pub.standardError.contains("the public key goes to PATH.pub next to it: give \(path)"), "\(pub.standardError)")
        let intoFolder = try CalibProcess.run(["keygen", "--output", folder.path + "/", "--force"])
        #expect(intoFolder.status == 64)
        #expect(intoFolder.standardError.contains("is a folder; name the key-pair file"), "\(intoFolder.standardError)")
        #expect(try CurveKeyFile.read(path: path) == replaced)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted() == ["worker.key", "worker.key.pub"])
    }
}
