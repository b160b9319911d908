import Coordinator

/// libFuzzer entry of target `journal` (`scripts/fuzz.sh journal`): a resumed
/// coordinator reads whatever a crash, a full disk or a stranger left in the journal
/// file, so any bytes must give the intact records or a `JournalError`, never trap,
/// hang or exhaust memory. The damage report must agree with the intact length.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJournal(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let contents = try? JournalFormat.decode(bytes) else { return 0 }
    if contents.intactLength > size || (contents.damage == nil) != (contents.intactLength == size) {
        fatalError("journal of \(size) bytes: intact length \(contents.intactLength), damage \(contents.damage ?? "none")")
    }
    return 0
}
