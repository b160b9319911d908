import Crypto

/// SHA-256 by swift-crypto, which uses the CPU's SHA instructions: for what is hashed at
/// disk and network speed (journal records, job keys, models received). Same digests as
/// `Core.SHA256`, which stays the pure implementation of the functional core.
public enum CryptoSHA256 {
    /// The digest of `parts` one after the other (32 bytes).
    public static func digest(_ parts: [UInt8]...) -> [UInt8] {
        digest(of: parts.map { $0[...] })
    }

    /// The digest of `parts` one after the other (32 bytes).
    public static func digest(of parts: [ArraySlice<UInt8>]) -> [UInt8] {
        var hasher = Crypto.SHA256()
        for part in parts { part.withUnsafeBytes { hasher.update(bufferPointer: $0) } }
        return Array(hasher.finalize())
    }

    /// The digest of `parts` as 64 lowercase hex digits.
    public static func hex(_ parts: [UInt8]...) -> String {
        hex(of: parts.map { $0[...] })
    }

    /// The digest of `parts` as 64 lowercase hex digits.
    public static func hex(of parts: [ArraySlice<UInt8>]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text = [UInt8]()
        text.reserveCapacity(64)
        for byte in digest(of: parts) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
