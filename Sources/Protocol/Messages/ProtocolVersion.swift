/// The version of the calibration wire protocol this build speaks.
///
/// Every frame carries it in its envelope (see ``MessageCodec``). Peers must speak
/// exactly the same version; the only messages understood across versions are
/// `hello` and `refused`, whose layouts are frozen so a mismatch can be reported
/// politely instead of as garbage.
public enum ProtocolVersion {
    /// The protocol version written by ``MessageCodec/encode(_:)`` and accepted by
    /// ``MessageCodec/decode(_:limits:)``.
    public static let current: UInt16 = 6
}
