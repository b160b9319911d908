/// Runs of histogram bin counts that each fit one byte of the compact integer encoding
/// (1 to 127, high bit clear), checked and summed eight at a time.
///
/// Most bins of a result's histogram count fewer than 128 values, so their counts are
/// one byte each; the coordinator checks and adds hundreds of thousands of them per
/// result, and doing it a machine word at a time instead of a byte at a time is what
/// keeps merging off the critical path (`ActivationHistogram.add(encoded:)`).
enum OneByteCounts {
    private static let highBits: UInt64 = 0x8080_8080_8080_8080
    private static let lowBits: UInt64 = 0x0101_0101_0101_0101
    private static let evenBytes: UInt64 = 0x00ff_00ff_00ff_00ff

    /// The sum of the `count` bytes at `start`, or nil when one of them is not a one-byte
    /// count (zero, or 128 and above) or fewer than `count` bytes are left.
    static func sum(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int, count: Int) -> UInt64? {
        guard count <= bytes.count - start else { return nil }
        let base = UnsafeRawPointer(bytes.baseAddress! + start)
        var sum: UInt64 = 0
        var done = 0
        while count - done >= 8 {
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: done, as: UInt64.self))
            guard holdsOnlyCounts(word) else { return nil }
            sum += byteSum(word)
            done += 8
        }
        let left = count - done
        guard left > 0 else { return sum }
        if bytes.count - start - done >= 8 {
            // A whole word is readable: mask off the bytes after the run, and stand a 1 in
            // for each of them so that they pass the zero test.
            let kept = UInt64.max >> (64 - 8 * left)
            let word = UInt64(littleEndian: base.loadUnaligned(fromByteOffset: done, as: UInt64.self)) & kept
            guard holdsOnlyCounts(word | (lowBits & ~kept)) else { return nil }
            return sum + byteSum(word)
        }
        for index in done..<count {
            let byte = base.load(fromByteOffset: index, as: UInt8.self)
            guard byte != 0, byte & 0x80 == 0 else { return nil }
            sum += UInt64(byte)
        }
        return sum
    }

    /// Whether every byte of `word` is in 1...127.
    @inline(__always)
    static func holdsOnlyCounts(_ word: UInt64) -> Bool {
        // With the high bit forced on, subtracting 1 from a byte clears its high bit only
        // if the byte was 0, and no byte borrows from the next one.
        word & highBits == 0 && ((word | highBits) &- lowBits) & highBits == highBits
    }

    /// The sum of the eight bytes of `word`, each below 128.
    @inline(__always)
    static func byteSum(_ word: UInt64) -> UInt64 {
        // Pairs of bytes into four 16-bit lanes (each at most 254), then the lanes added
        // into the top one by a multiplication (at most 1016, no carry between lanes).
        let lanes = (word & evenBytes) &+ ((word >> 8) & evenBytes)
        return (lanes &* 0x0001_0001_0001_0001) >> 48
    }
}
