import Protocol

/// libFuzzer entry of target `message` (`scripts/fuzz.sh message`): every frame a peer
/// can send must decode or be refused with a `ProtocolError`, never trap, hang or
/// exhaust memory. A frame that decodes at the current version must also be the one
/// encoding of its message, as the codec promises.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMessage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let message = try? MessageCodec.decode(bytes) else { return 0 }
    if (try? MessageCodec.version(of: bytes)) == ProtocolVersion.current, MessageCodec.encode(message) != bytes {
        fatalError("a decoded \(message.type) message does not encode back to its \(size) bytes")
    }
    return 0
}
