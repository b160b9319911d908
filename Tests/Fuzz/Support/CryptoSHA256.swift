import Core

/// The fuzz builds' `CryptoSHA256`: the same digests from Core's pure SHA-256, since
/// `scripts/fuzz.sh` does not build swift-crypto. Only the fuzz builds compile this file.
public enum CryptoSHA256 {
    public static func digest(_ parts: [UInt8]...) -> [UInt8] {
        var hasher = SHA256()
        for part in parts { hasher.update(part) }
        return hasher.finalize()
    }

    public static func hex(_ parts: [UInt8]...) -> String {
        var hasher = SHA256()
        for part in parts { hasher.update(part) }
        return hasher.finalizeHex()
    }
}
