import Testing
import TestSupport

@testable import Core

/// The word-at-a-time check and sum of one-byte bin counts agrees with reading the bytes
/// one by one, wherever the run starts and ends, and refuses what a byte reader refuses.
struct OneByteCountsTests {
    /// The byte-by-byte reading: the sum, or nil for a 0, a byte of 128 and above, or a
    /// run past the end.
    static func reference(_ bytes: [UInt8], from start: Int, count: Int) -> UInt64? {
        guard start + count <= bytes.count else { return nil }
        var sum: UInt64 = 0
        for byte in bytes[start..<start + count] {
            guard byte != 0, byte < 128 else { return nil }
            sum += UInt64(byte)
        }
        return sum
    }

    @Test func agreesWithReadingByteByByte() {
        var generator = SeededGenerator(seed: 20_261_201, stream: "one-byte-counts")
        for trial in 0..<4000 {
            let length = Int(generator.next() % 40)
            // Mostly valid counts, with a zero or a continuation byte in some arrays.
            let bytes = (0..<length).map { _ -> UInt8 in
                switch generator.next() % 64 {
                case 0: 0
                case 1: UInt8(128 + generator.next() % 128)
                default: UInt8(1 + generator.next() % 127)
                }
            }
            let start = length == 0 ? 0 : Int(generator.next() % UInt64(length + 1))
            let count = Int(generator.next() % UInt64(length - start + 3))
            let found = bytes.withUnsafeBufferPointer { OneByteCounts.sum($0, from: start, count: count) }
            #expect(found == Self.reference(bytes, from: start, count: count), "trial \(trial): \(bytes) from \(start), \(count)")
        }
    }

    @Test func eachByteOfAWordIsChecked() {
        for position in 0..<8 {
            for bad: UInt8 in [0, 128, 255] {
                var bytes = [UInt8](repeating: 127, count: 8)
                bytes[position] = bad
                #expect(OneByteCounts.holdsOnlyCounts(UInt64(littleEndian: Self.word(bytes))) == false)
            }
        }
        #expect(OneByteCounts.holdsOnlyCounts(Self.word([1, 2, 3, 4, 5, 6, 7, 127])))
        #expect(OneByteCounts.byteSum(Self.word([127, 127, 127, 127, 127, 127, 127, 127])) == 1016)
    }

    static func word(_ bytes: [UInt8]) -> UInt64 {
        bytes.enumerated().reduce(0) { $0 | UInt64($1.element) << (8 * $1.offset) }
    }
}
