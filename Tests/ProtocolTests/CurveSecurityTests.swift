import Foundation
import Protocol
import Testing

/// The pure parts of CURVE support: keys, key files, authorized keys and ZAP
/// messages. The socket-level behaviour is in `CurveHandshakeTests`.
struct CurveSecurityTests {
    // MARK: Keys

    @Test func generatedKeysAreZ85AndTheSecretKeyDerivesThePublicKey() throws {
        try #require(CurveKeyPair.isAvailable, "libzmq was built without CURVE")
        let first = try CurveKeyPair.generate()
        let second = try CurveKeyPair.generate()
        for key in [first.publicKey, first.secretKey, second.publicKey, second.secretKey] {
            #expect(key.count == 40)
            #expect(CurveKeyPair.isValidZ85Key(key))
        }
        #expect(first != second)
        #expect(first.publicKey != first.secretKey)
        #expect(try CurveKeyPair(secretKey: first.secretKey) == first)
        #expect(try CurveKeyPair(secretKey: second.secretKey).publicKey == second.publicKey)
        // Logging a key pair must not leak the secret.
        #expect(!"\(first)".contains(first.secretKey))
        #expect(!String(reflecting: first).contains(first.secretKey))
        #expect("\(first)".contains(first.publicKey))
    }

    @Test func z85KeyValidation() {
        #expect(CurveKeyPair.isValidZ85Key(helloWorldKey))
        #expect(CurveKeyPair.isValidZ85Key(String(repeating: "0", count: 40)))
        #expect(!CurveKeyPair.isValidZ85Key(String(helloWorldKey.dropLast())))
        #expect(!CurveKeyPair.isValidZ85Key(helloWorldKey + "0"))
        #expect(!CurveKeyPair.isValidZ85Key(""))
        #expect(!CurveKeyPair.isValidZ85Key(String(repeating: "~", count: 40)))
        #expect(!CurveKeyPair.isValidZ85Key(String(repeating: "0", count: 39) + " "))
        #expect(!CurveKeyPair.isValidZ85Key(String(repeating: "0", count: 39) + "é"))
        // 5 characters of the highest digit encode 85^5 - 1, more than 32 bits.
        #expect(!CurveKeyPair.isValidZ85Key("#####" + String(repeating: "0", count: 35)))
    }

    @Test func anInvalidSecretKeyIsRefusedWithTheReason() {
        let error = #expect(throws: CurveKeyError.self) { try CurveKeyPair(secretKey: "tooShort") }
        #expect(error?.description == "the secret key has 8 characters, expected 40")
    }

    // MARK: Key-pair files

    @Test func keyFileRendersAndParsesBack() throws {
        let pair = try CurveKeyPair.generate()
        let text = CurveKeyFile.render(pair)
        #expect(text.contains("public-key \(pair.publicKey)\n"))
        #expect(text.contains("secret-key \(pair.secretKey)\n"))
        #expect(try CurveKeyFile.parse(text, path: "node.key") == pair)

        // Comments, indentation, CRLF line ends; the public key is optional.
        let handWritten = "\r\n# my worker\r\n   secret-key \t\(pair.secretKey)  \r\n\r\n"
        #expect(try CurveKeyFile.parse(handWritten, path: "node.key") == pair)
    }

    @Test func keyFileErrorsNameTheFileAndLine() throws {
        let pair = try CurveKeyPair.generate()
        let other = try CurveKeyPair.generate()
        let cases: [(text: String, line: Int, reason: String)] = [
            ("# comment\n\nsecret-key \(pair.secretKey)\nprivate-key x\n", 4, "unknown entry \"private-key\""),
            ("secret-key \(pair.secretKey)\nsecret-key \(pair.secretKey)\n", 2, "appears again (first on line 1)"),
            ("public-key\nsecret-key \(pair.secretKey)\n", 1, "expected \"public-key <40 Z85 characters>\""),
            ("secret-key \(pair.secretKey) extra\n", 1, "expected \"secret-key"),
            ("\n\nsecret-key \(pair.secretKey.dropLast())\n", 3, "secret-key has 39 characters, expected 40"),
            ("secret-key \(pair.secretKey)\npublic-key \(other.publicKey)\n", 2, "does not belong to the secret-key on line 1"),
            ("\(pair.publicKey) worker-1\n", 1, "a key alone, as in a .pub file; a key-pair file (the one keygen wrote without .pub)"),
            ("\u{1b}[2J\u{7}junk\n", 1, "unknown entry \"\\u{1B}[2J\\u{07}junk\""),
        ]
        for (text, line, reason) in cases {
            let error = #expect(throws: CurveKeyError.self) { try CurveKeyFile.parse(text, path: "keys/node.key") }
            guard case let .invalidLine(path, number, message)? = error else {
                Issue.record("expected invalidLine for \(text.debugDescription), got \(String(describing: error))")
                continue
            }
            #expect(path == "keys/node.key")
            #expect(number == line, "\(text.debugDescription)")
            #expect(message.contains(reason), "\(message)")
            #expect(error?.description.hasPrefix("keys/node.key:\(line): ") == true)
            #expect(error?.description.contains(pair.secretKey) == false)
        }

        let missing = #expect(throws: CurveKeyError.self) {
            try CurveKeyFile.parse("# nothing\npublic-key \(pair.publicKey)\n", path: "node.key")
        }
        #expect(missing == .missingEntry(path: "node.key", entry: "secret-key"))
    }

    @Test func keyFileIsWrittenAtomicallyPrivatelyAndNeverOverwrittenByAccident() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path("node.key")
        let pair = try CurveKeyPair.generate()

        try CurveKeyFile.write(pair, to: path)
        #expect(try CurveKeyFile.read(path: path) == pair)
        #expect(try permissions(of: path) == 0o600)

        let replacement = try CurveKeyPair.generate()
        let refused = #expect(throws: CurveKeyError.self) { try CurveKeyFile.write(replacement, to: path) }
        #expect(refused == .fileExists(path: path))
        #expect(try CurveKeyFile.read(path: path) == pair)

        try CurveKeyFile.write(replacement, to: path, overwrite: true)
        #expect(try CurveKeyFile.read(path: path) == replacement)
        #expect(try permissions(of: path) == 0o600)
        // No temporary files are left behind.
        #expect(try directory.contents() == ["node.key"])

        let unreadable = #expect(throws: CurveKeyError.self) { try CurveKeyFile.read(path: directory.path("absent.key")) }
        guard case let .fileSystem(_, operation, code)? = unreadable else {
            Issue.record("expected a file-system error, got \(String(describing: unreadable))")
            return
        }
        #expect(operation == "open")
        #expect(code == ENOENT)
    }

    @Test func publicKeyComesFromLiteralTextOrAPubFile() throws {
        let directory = try TemporaryDirectory()
        let pair = try CurveKeyPair.generate()
        let pubPath = directory.path("coordinator.key.pub")
        try CurveKeyFile.writePublicKey(pair.publicKey, name: "coordinator\nof the\tlab", to: pubPath)
        #expect(try String(contentsOfFile: pubPath, encoding: .utf8) == "\(pair.publicKey) coordinator of the lab\n")
        #expect(try permissions(of: pubPath) & 0o600 == 0o600)

        #expect(try CurveKeyFile.publicKey(fromFileOrText: pair.publicKey) == pair.publicKey)
        #expect(try CurveKeyFile.publicKey(fromFileOrText: pubPath) == pair.publicKey)
        #expect(try CurveKeyFile.parsePublicKey("# the coordinator\n\n\(pair.publicKey)\n", path: "c.pub") == pair.publicKey)

        // A key-pair file is refused: it holds a secret that must not travel.
        let keyPath = directory.path("coordinator.key")
        try CurveKeyFile.write(pair, to: keyPath)
        let secretFile = #expect(throws: CurveKeyError.self) { try CurveKeyFile.publicKey(fromFileOrText: keyPath) }
        #expect(secretFile?.description.contains("\(keyPath):3: this is a key-pair file") == true)

        let twoKeys = #expect(throws: CurveKeyError.self) {
            try CurveKeyFile.parsePublicKey("\(pair.publicKey)\n# another\n\(pair.publicKey)\n", path: "c.pub")
        }
        #expect(twoKeys?.description.hasPrefix("c.pub:3: ") == true)
        let empty = #expect(throws: CurveKeyError.self) { try CurveKeyFile.parsePublicKey("# none\n", path: "c.pub") }
        #expect(empty == .missingEntry(path: "c.pub", entry: "public key"))

        let neither = #expect(throws: CurveKeyError.self) {
            try CurveKeyFile.publicKey(fromFileOrText: directory.path("missing.pub"))
        }
        #expect(neither?.description.contains("is neither a Z85 public key") == true)
        #expect(neither?.description.contains("nor a readable file (No such file or directory)") == true)

        let badKey = #expect(throws: CurveKeyError.self) {
            try CurveKeyFile.writePublicKey("not a key", to: directory.path("bad.pub"))
        }
        #expect(badKey?.description.hasPrefix("the public key has 9 characters") == true)
    }

    // MARK: Authorized keys

    @Test func authorizedKeysKeepNamesAndIgnoreCommentsAndBlankLines() throws {
        let first = try CurveKeyPair.generate().publicKey
        let second = try CurveKeyPair.generate().publicKey
        let third = try CurveKeyPair.generate().publicKey
        let text = """
            # workers

            \(first) gpu-node-1
              \(second)\tgpu node 2 (spare)  \r
            \(third)
            """
        let keys = try AuthorizedKeys.parse(text, path: "authorized")
        #expect(keys.keys == [first, second, third])
        #expect(keys.contains(second))
        #expect(keys.name(of: first) == "gpu-node-1")
        #expect(keys.name(of: second) == "gpu node 2 (spare)")
        #expect(keys.name(of: third) == nil)
        #expect(keys.name(of: helloWorldKey) == nil)
        #expect(!keys.contains(helloWorldKey))

        let directory = try TemporaryDirectory()
        let path = directory.path("authorized_keys")
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try AuthorizedKeys.read(path: path) == keys)
    }

    @Test func authorizedKeysErrorsNameTheFileLineAndProblem() throws {
        let key = try CurveKeyPair.generate()
        let cases: [(text: String, line: Int, reason: String)] = [
            ("\(key.publicKey) a\n\n# b\nnot-a-key b\n", 4, "\"not-a-key\" is not a Z85 public key: it has 9 characters, expected 40"),
            ("\(key.publicKey) a\n\(key.publicKey) b\n", 2, "this key is already listed on line 1"),
            ("secret-key \(key.secretKey)\n", 1, "this is a key-pair file line"),
        ]
        for (text, line, reason) in cases {
            let error = #expect(throws: CurveKeyError.self) { try AuthorizedKeys.parse(text, path: "/etc/calib/authorized") }
            #expect(error?.description.hasPrefix("/etc/calib/authorized:\(line): \(reason)") == true, "\(String(describing: error))")
            #expect(error?.description.contains(key.secretKey) == false)
        }

        for empty in ["", "\n\n", "# nobody yet\n"] {
            let error = #expect(throws: CurveKeyError.self) { try AuthorizedKeys.parse(empty, path: "authorized") }
            #expect(error == .noAuthorizedKeys(path: "authorized"))
            #expect(error?.description.contains("admits nobody") == true)
        }
    }

    // MARK: ZAP messages

    @Test func zapRequestForCurveCarriesTheZ85Key() throws {
        let frames = zapFrames(mechanism: "CURVE", credentials: [helloWorldBytes])
        let request = try ZAPRequest(frames: frames)
        #expect(request.version == "1.0")
        #expect(request.requestID == Array("7".utf8))
        #expect(request.domain == "calib")
        #expect(request.address == "127.0.0.1")
        #expect(request.routingID == Array("worker-1".utf8))
        #expect(request.mechanism == "CURVE")
        #expect(request.credentials == [helloWorldBytes])
        #expect(request.curvePublicKey == helloWorldKey)

        let zeros = try ZAPRequest(frames: zapFrames(mechanism: "CURVE", credentials: [[UInt8](repeating: 0, count: 32)]))
        #expect(zeros.curvePublicKey == String(repeating: "0", count: 40))

        let null = try ZAPRequest(frames: zapFrames(mechanism: "NULL", credentials: []))
        #expect(null.curvePublicKey == nil)
        #expect(null.credentials.isEmpty)
    }

    @Test func malformedZapRequestsAreErrorsNotCrashes() {
        let cases: [([[UInt8]], ZAPRequestError)] = [
            ([], .tooFewFrames(count: 0)),
            (Array(zapFrames(mechanism: "CURVE", credentials: []).prefix(5)), .tooFewFrames(count: 5)),
            ([Array("2.0".utf8)] + zapFrames(mechanism: "CURVE", credentials: [helloWorldBytes]).dropFirst(),
             .unsupportedVersion("2.0")),
            (zapFrames(mechanism: "CURVE", credentials: []), .invalidCredentials(mechanism: "CURVE", reason: "are 0 frames, expected 1")),
            (zapFrames(mechanism: "CURVE", credentials: [helloWorldBytes, helloWorldBytes]),
             .invalidCredentials(mechanism: "CURVE", reason: "are 2 frames, expected 1")),
            (zapFrames(mechanism: "CURVE", credentials: [Array(helloWorldBytes.dropLast())]),
             .invalidCredentials(mechanism: "CURVE", reason: "are a 31-byte key, expected 32 bytes")),
            (Array(zapFrames(mechanism: "CURVE", credentials: [helloWorldBytes]).prefix(5)) + [[0xFF, 0xFE]] + [helloWorldBytes],
             .invalidText(field: "mechanism")),
        ]
        for (frames, expected) in cases {
            let error = #expect(throws: ZAPRequestError.self) { try ZAPRequest(frames: frames) }
            #expect(error == expected)
            #expect(error?.description.hasPrefix("malformed ZAP request: ") == true)
        }
    }

    @Test func zapReplyFramesFollowRFC27() {
        let reply = ZAPReply(requestID: [1, 2], status: .success, statusText: "OK", userID: helloWorldKey)
        #expect(reply.frames == [Array("1.0".utf8), [1, 2], Array("200".utf8), Array("OK".utf8), Array(helloWorldKey.utf8), []])
        let refusal = ZAPReply(requestID: [], status: .authenticationFailure, statusText: "unknown CURVE key")
        #expect(refusal.frames[2] == Array("400".utf8))
        #expect(refusal.frames[4].isEmpty)
        #expect(ZAPReply.Status.temporaryFailure.rawValue == "300")
        #expect(ZAPReply.Status.internalError.rawValue == "500")
    }

    @Test func zapDecisionsReadWellInALog() {
        let admitted = ZAPDecision(publicKey: helloWorldKey, address: "10.0.0.7", allowed: true, name: "gpu-node-1")
        #expect(admitted.description == "admitted CURVE key \(helloWorldKey) (gpu-node-1) from 10.0.0.7")
        let refused = ZAPDecision(publicKey: helloWorldKey, address: "10.0.0.8", allowed: false, name: nil)
        #expect(refused.description == "refused CURVE key \(helloWorldKey) (not in the authorized keys) from 10.0.0.8")
        let plain = ZAPDecision(publicKey: "", address: "10.0.0.9", allowed: false, name: nil, mechanism: "PLAIN")
        #expect(plain.description == "refused a PLAIN handshake from 10.0.0.9: only CURVE is accepted")
    }
}

// MARK: - Helpers

/// The Z85 test vector of RFC 32 ("HelloWorld" encodes these 8 bytes), four times.
private let helloWorldBytes: [UInt8] = Array(repeating: [0x86, 0x4F, 0xD2, 0x6F, 0xB5, 0x59, 0xF7, 0x5B], count: 4).flatMap { $0 }
private let helloWorldKey = String(repeating: "HelloWorld", count: 4)

/// A ZAP 1.0 request as a REP socket receives it.
private func zapFrames(mechanism: String, credentials: [[UInt8]]) -> [[UInt8]] {
    [Array("1.0".utf8), Array("7".utf8), Array("calib".utf8), Array("127.0.0.1".utf8), Array("worker-1".utf8),
     Array(mechanism.utf8)] + credentials
}

/// The permission bits of the file at `path`.
private func permissions(of path: String) throws -> Int {
    let attributes = try FileManager.default.attributesOfItem(atPath: path)
    return (attributes[.posixPermissions] as? NSNumber)?.intValue ?? -1
}

/// A fresh directory under the system's temporary directory, removed on deinit.
final class TemporaryDirectory {
    let url: URL

    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("calib-curve-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// The path of `name` inside the directory.
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// The names in the directory, sorted.
    func contents() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
    }
}
