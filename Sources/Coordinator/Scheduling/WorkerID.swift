/// Names one worker by its ZeroMQ routing identity.
///
/// The coordinator's ROUTER socket tells workers apart only by these bytes, so the
/// scheduler keys all per-worker state by them. Ordering is byte-wise, which lets the
/// scheduler visit workers in a fixed order and stay deterministic.
public struct WorkerID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The routing identity exactly as ZeroMQ delivered it.
    public let bytes: [UInt8]

    public init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Lower-case hex, two digits per byte (an empty identity prints as `-`).
    public var description: String {
        if bytes.isEmpty { return "-" }
        let digits = Array("0123456789abcdef")
        var text = ""
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return text
    }

    public static func < (lhs: WorkerID, rhs: WorkerID) -> Bool {
        lhs.bytes.lexicographicallyPrecedes(rhs.bytes)
    }
}
