import CZeroMQ

/// Z85 (ZeroMQ RFC 32), the printable encoding of CURVE keys: every 4 bytes
/// become 5 characters of an 85-character alphabet, so a 32-byte key is 40
/// characters of text that survives copy and paste, shells and config files.
enum Z85 {
    /// The 85 characters, in digit order.
    static let alphabet = Array("0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ.-:+=^!/*?&<>()[]{}@%$#".utf8)

    /// The length of a Z85-encoded 32-byte CURVE key.
    static let keyLength = 40

    /// Digit value of each ASCII byte, nil for bytes outside the alphabet.
    private static let digits: [UInt8?] = {
        var table = [UInt8?](repeating: nil, count: 256)
        for (value, character) in alphabet.enumerated() {
            table[Int(character)] = UInt8(value)
        }
        return table
    }()

    /// Why `text` is not a Z85-encoded CURVE key, as a phrase that completes
    /// "the key …", or nil if it is one: exactly 40 characters of the alphabet,
    /// each group of 5 encoding a value that fits in 32 bits (the rule libzmq
    /// applies when it decodes the key).
    static func problem(withKey text: String) -> String? {
        let characters = Array(text)
        guard characters.count == keyLength else {
            return "has \(characters.count) characters, expected \(keyLength)"
        }
        for start in stride(from: 0, to: keyLength, by: 5) {
            var value: UInt64 = 0
            for position in start..<(start + 5) {
                let character = characters[position]
                guard let ascii = character.asciiValue, let digit = digits[Int(ascii)] else {
                    return "has \"\(character)\" at position \(position + 1), which is not a Z85 character"
                }
                value = value * 85 + UInt64(digit)
            }
            guard value <= UInt64(UInt32.max) else {
                return "has characters \(start + 1)–\(start + 5) encoding a value above 32 bits"
            }
        }
        return nil
    }

    /// Encodes `bytes` with `zmq_z85_encode`; nil unless the length is a multiple of 4.
    static func encode(_ bytes: [UInt8]) -> String? {
        guard bytes.count % 4 == 0 else { return nil }
        var text = [CChar](repeating: 0, count: bytes.count / 4 * 5 + 1)
        guard zmq_z85_encode(&text, bytes, bytes.count) != nil else { return nil }
        return string(fromCString: text)
    }

    /// The text of a NUL-terminated buffer filled by libzmq.
    static func string(fromCString buffer: [CChar]) -> String {
        String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
