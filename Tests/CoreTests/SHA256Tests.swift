import Testing

@testable import Core

@Suite struct SHA256Tests {
    @Test func knownDigests() {
        // FIPS 180-4 examples.
        #expect(SHA256.hex([]) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hex(Array("abc".utf8)) == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(
            SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    @Test func incrementalUpdatesMatchOneShot() {
        var generator = SeededGenerator(seed: 5)
        let bytes = (0..<1000).map { _ in UInt8(truncatingIfNeeded: generator.next()) }
        var hasher = SHA256()
        for chunk in [0..<1, 1..<63, 63..<64, 64..<200, 200..<1000] { hasher.update(Array(bytes[chunk])) }
        #expect(hasher.finalizeHex() == SHA256.hex(bytes))
    }
}
