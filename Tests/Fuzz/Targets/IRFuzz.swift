import Core

/// libFuzzer entry of target `ir` (`scripts/fuzz.sh ir`): workers read the model the
/// coordinator ships and users pass any `.xml`/`.bin` pair, so any pair must give a graph
/// or an `IRError`, never trap, hang or exhaust memory. A graph that reads must also
/// survive being written: `IRWriter`'s XML must read back and write the same bytes again,
/// since calib writes the int8 IR from graphs it read.
///
/// Input layout: the XML's length as a little-endian `UInt32` (taken modulo the bytes
/// left plus one, so every input splits), the XML, then the weights.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzIR(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard bytes.count >= 4 else { return 0 }
    let declared = bytes[0..<4].reversed().reduce(0) { $0 << 8 | Int($1) }
    let xmlEnd = 4 + declared % (bytes.count - 4 + 1)
    guard let graph = try? IRReader.read(xml: Array(bytes[4..<xmlEnd]), weights: Array(bytes[xmlEnd...])) else {
        return 0
    }
    let written = IRWriter.xml(of: graph)
    do {
        let again = try IRReader.read(xml: written, weights: graph.weights)
        if IRWriter.xml(of: again) != written {
            fatalError("an IR read from \(size) bytes writes other XML after reading its own XML back")
        }
    } catch {
        fatalError("an IR read from \(size) bytes writes XML that does not read back: \(error)")
    }
    return 0
}
