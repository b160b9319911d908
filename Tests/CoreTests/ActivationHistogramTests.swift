import Foundation
import Testing
import TestSupport

@testable import Core

/// The sparse log histogram: bins, special values, quantiles, exact merging, canonical
/// encoding and memory.
struct ActivationHistogramTests {
    static func histogram(_ values: [Float]) -> ActivationHistogram {
        ActivationData.histogram(values)
    }

    static func encoding(_ histogram: ActivationHistogram) -> [UInt8] {
        var writer = ByteWriter()
        histogram.encode(into: &writer)
        return writer.bytes
    }

    @Test func knownValuesLandInTheirBins() {
        let histogram = Self.histogram([1, 1, Float(1).nextUp, 1 + 0x1p-10, 1.5, -2, -2, 3])
        let bins = histogram.signedBins()
        #expect(bins.map(\.count) == [2, 3, 1, 1, 1])
        #expect(bins[0].lower == -(2 + 0x1p-9) && bins[0].upper == -2)
        #expect(bins[1].lower == 1 && bins[1].upper == 1 + 0x1p-10)
        #expect(bins[2].lower == 1 + 0x1p-10)
        #expect(bins[3].lower == 1.5)
        #expect(bins[4].lower == 3 && bins[4].upper == 3 + 0x1p-9)
        #expect(histogram.count == 8 && histogram.zeroCount == 0 && histogram.nanCount == 0)
        #expect(histogram.minimum == -2 && histogram.maximum == 3)
        let magnitudes = histogram.absoluteValues()
        #expect(magnitudes.map(\.count) == [3, 1, 1, 2, 1])
        #expect(magnitudes[3].lower == 2 && magnitudes[3].upper == 2 + 0x1p-9)
    }

    @Test func zerosTinyValuesNaNAndInfinity() throws {
        let tiny = Float(0x1p-40)
        let values: [Float] = [
            0, -0.0, .leastNonzeroMagnitude, -tiny.nextDown, tiny, .nan, -.nan, .signalingNaN, .infinity, -.infinity,
            Float(bitPattern: 0x7f80_0001),
        ]
        let histogram = Self.histogram(values)
        #expect(histogram.zeroCount == 4)
        #expect(histogram.nanCount == 4)
        #expect(histogram.infinityCount == 2)
        #expect(histogram.count == 5)
        #expect(histogram.minimum == Double(-tiny.nextDown) && histogram.maximum == Double(tiny))
        let bins = histogram.signedBins()
        // The zero point and 2^-40; the infinities are in no bin.
        #expect(bins.map(\.count) == [4, 1])
        #expect(bins[0].lower == 0 && bins[0].upper == 0)
        #expect(bins[1].lower == 0x1p-40)
        #expect(histogram.absoluteValues().first! == (0, 0x1p-40, 4))
        // Only infinities: no finite value, no extremes; the counts survive a round trip.
        let infinite = Self.histogram([.infinity, -.infinity, .infinity, .greatestFiniteMagnitude])
        #expect(infinite.count == 1 && infinite.infinityCount == 3)
        #expect(infinite.minimum == Double(Float.greatestFiniteMagnitude) && infinite.maximum == infinite.minimum)
        var writer = ByteWriter()
        infinite.encode(into: &writer)
        var reader = ByteReader(writer.bytes)
        #expect(try ActivationHistogram(decoding: &reader) == infinite)
    }

    @Test func extremesIgnoreNaNAndTakeZeroAsPositive() {
        let histogram = Self.histogram([.nan, -0.0, .nan])
        #expect(histogram.minimum?.bitPattern == Double(0).bitPattern)
        #expect(histogram.maximum?.bitPattern == Double(0).bitPattern)
        #expect(Self.histogram([.nan, .nan]).minimum == nil)
        #expect(Self.histogram([]).count == 0)
        // Lengths around the 8-lane extremes loop and the 2-value counting loop.
        for length in 1...19 {
            let values = (0..<length).map { Float($0) - 7.25 }
            let histogram = Self.histogram(values)
            #expect(histogram.count == UInt64(length))
            #expect(histogram.minimum == -7.25 && histogram.maximum == Double(length) - 8.25)
        }
    }

    /// Eight zero-class values in a row are counted at once: at every alignment, next to
    /// NaN, infinity and values of blocks not yet allocated, the counts equal those of
    /// adding the values one at a time.
    @Test func runsOfZerosCountAsTheirValuesOneByOne() {
        let zeros: [Float] = [0, -0.0, .leastNonzeroMagnitude, 0, 0x1p-41, 0, 0, -0x1p-50, 0, 0, 0, 0, 0, 0, 0, 0, 0]
        for offset in 0..<9 {
            let values = Array(repeating: 3.5, count: offset) + zeros + [.nan, 2, -1, .infinity] + zeros.prefix(9)
                + [1e6] + zeros + [-7e-3] + zeros.prefix(offset)
            var oneByOne = ActivationHistogram()
            for value in values { [value].withUnsafeBufferPointer { oneByOne.add($0) } }
            let histogram = Self.histogram(values)
            #expect(histogram == oneByOne, "offset \(offset)")
            #expect(histogram.zeroCount == UInt64(2 * zeros.count + 9 + min(offset, zeros.count)))
        }
    }

    /// Values of every class (zero-class, NaN, infinities, both signs, every exponent, runs
    /// of zeros) at lengths around the 8-lane loop, binned with one set of counters reused
    /// from histogram to histogram: each histogram's bins are those worked out value by
    /// value from the bit pattern, and the counters are left zero.
    @Test func binsFollowTheBitPatternsAndReusedCountersAreLeftZero() {
        var generator = SeededGenerator(seed: 11)
        func value() -> [Float] {
            switch generator.next() % 20 {
            case 0: return [0, -0.0, .leastNonzeroMagnitude, -0x1p-41][Int(generator.next() % 4)...].prefix(1).map { $0 }
            case 1: return Array(repeating: 0, count: 8 + Int(generator.next() % 9))
            case 2: return [.nan, -.infinity, .infinity, Float(bitPattern: 0x7f80_0001)][Int(generator.next() % 4)...].prefix(1).map { $0 }
            default:
                let exponent = UInt32(ActivationHistogram.smallestExponent) + UInt32(generator.next() % 168)
                return [Float(bitPattern: UInt32(generator.next() % 2) << 31 | exponent << 23 | UInt32(generator.next() & 0x7f_ffff))]
            }
        }
        var counters = HistogramCounters()
        for length in [0, 1, 7, 8, 9, 15, 16, 17, 100, 1000, 4099] {
            var values = [Float]()
            while values.count < length { values += value() }
            var histogram = ActivationHistogram()
            values.withUnsafeBufferPointer { histogram.add($0, counters: &counters) }

            var bins = [Int: (lower: Double, upper: Double, count: UInt64)]()
            var zeros: UInt64 = 0
            for value in values where value.isFinite {
                let bits = value.bitPattern
                let exponent = Int(bits >> 23 & 0xff)
                guard exponent >= ActivationHistogram.smallestExponent else {
                    zeros += 1
                    continue
                }
                let scale = Double(sign: .plus, exponent: exponent - 127, significand: 1)
                let bin = Double(bits >> 13 & 0x3ff)
                let (low, high) = (scale * (1 + bin / 1024), scale * (1 + (bin + 1) / 1024))
                let edges = value < 0 ? (-high, -low) : (low, high)
                bins[Int(bits >> 13), default: (edges.0, edges.1, 0)].count += 1
            }
            var expected = bins.values.sorted { $0.lower < $1.lower }
            if zeros > 0 { expected.insert((0, 0, zeros), at: expected.firstIndex { $0.lower >= 0 } ?? expected.endIndex) }
            let finite = values.filter(\.isFinite)
            #expect(histogram.signedBins().map { "\($0)" } == expected.map { "\($0)" }, "length \(length)")
            #expect(histogram.zeroCount == zeros && histogram.count == UInt64(finite.count))
            #expect(histogram.nanCount == UInt64(values.filter(\.isNaN).count))
            #expect(histogram.infinityCount == UInt64(values.filter(\.isInfinite).count))
            #expect(histogram.minimum == finite.min().map { Double($0 == 0 ? 0 : $0) })
            #expect(histogram.maximum == finite.max().map { Double($0 == 0 ? 0 : $0) })
            #expect((0..<ActivationHistogram.keyCount).allSatisfy { !counters.holdsCounts(block: $0) }, "length \(length)")
        }
    }

    @Test(arguments: ActivationData.all.indices)
    func quantilesAreWithinOneBinOfSortedValues(dataset: Int) {
        let histogram = ActivationData.histograms[dataset]
        let sorted = ActivationData.sorted[dataset]
        #expect(histogram.quantile(0) == sorted.first!)
        #expect(histogram.quantile(1) == sorted.last!)
        for q in [1e-4, 0.001, 0.01, 0.1, 0.3, 0.7, 0.9, 0.99, 0.999, 0.9999] {
            let reference = RawReference.quantile(sorted: sorted, q)
            let value = histogram.quantile(q)
            let error = value == reference ? 0 : abs(value - reference) / abs(reference)
            #expect(error < 1e-3, "\(ActivationData.all[dataset].name) q \(q): \(value) vs \(reference)")
        }
    }

    /// Splitting the values anywhere and merging the parts in any grouping and order gives
    /// the one-pass histogram, to the byte.
    @Test func anySplitAndOrderMergesToTheOnePassHistogram() {
        let values = ActivationData.heavyTailed() + ActivationData.relu().prefix(30_000)
        let onePass = Self.histogram(values)
        let bytes = Self.encoding(onePass)
        var generator = SeededGenerator(seed: 7)
        for _ in 0..<6 {
            var cuts = Set((0..<Int(generator.next() % 12)).map { _ in Int(generator.next() % UInt64(values.count)) })
            cuts.formUnion([0, values.count])
            let bounds = cuts.sorted()
            var parts = zip(bounds, bounds.dropFirst()).map { Self.histogram(Array(values[$0..<$1])) }
            parts.shuffle(using: &generator)
            // Merge left to right, and pairwise as a tree.
            var sequential = ActivationHistogram()
            for part in parts { sequential.merge(part) }
            while parts.count > 1 {
                parts = stride(from: 0, to: parts.count, by: 2).map { index in
                    var pair = parts[index]
                    if index + 1 < parts.count { pair.merge(parts[index + 1]) }
                    return pair
                }
            }
            #expect(sequential == onePass)
            #expect(parts[0] == onePass)
            #expect(Self.encoding(sequential) == bytes)
            #expect(Self.encoding(parts[0]) == bytes)
        }
        // Adding in several calls is the same as one.
        var incremental = ActivationHistogram()
        values.withUnsafeBufferPointer { buffer in
            for start in stride(from: 0, to: buffer.count, by: 77_777) {
                incremental.add(UnsafeBufferPointer(rebasing: buffer[start..<min(start + 77_777, buffer.count)]))
            }
        }
        #expect(incremental == onePass)
    }

    @Test func encodingRoundTripsAndRefusesNonCanonicalData() throws {
        let histogram = Self.histogram(ActivationData.gaussian() + [.nan, .infinity, 0])
        let bytes = Self.encoding(histogram)
        var reader = ByteReader(bytes)
        let decoded = try ActivationHistogram(decoding: &reader)
        #expect(reader.isAtEnd)
        #expect(decoded == histogram)
        #expect(Self.encoding(decoded) == bytes)
        var emptyReader = ByteReader(Self.encoding(ActivationHistogram()))
        #expect(try ActivationHistogram(decoding: &emptyReader) == ActivationHistogram())

        // Header: NaN, infinity and zero counts (8 bytes each), minimum, maximum (4 each), block count (2).
        let firstKey = 34
        var swappedExtremes = bytes
        swappedExtremes.replaceSubrange(24..<32, with: bytes[28..<32] + bytes[24..<28])
        var infiniteMaximum = bytes
        infiniteMaximum.replaceSubrange(28..<32, with: [0x00, 0x00, 0x80, 0x7f])
        var reversedKeys = bytes
        reversedKeys[firstKey] = 0xff
        reversedKeys[firstKey + 1] = 0x01
        for corrupt in [swappedExtremes, infiniteMaximum, reversedKeys] {
            var corruptReader = ByteReader(corrupt)
            #expect(throws: BinaryCodingError.self) { try ActivationHistogram(decoding: &corruptReader) }
        }
        var truncated = ByteReader(Array(bytes.dropLast()))
        #expect(throws: BinaryCodingError.self) { try ActivationHistogram(decoding: &truncated) }
    }

    /// Adding an encoding straight into running sums gives what decoding it and merging
    /// gives, for counts of one byte and of several; a count of zero or a truncated run
    /// of counts is refused with its field and offset.
    @Test func addingAnEncodingEqualsMergingItAndBadCountsAreRefused() throws {
        // Bins 0 to 99 of [1, 2) hold 3 values each, bin 100 holds 300 (two bytes).
        var values = (0..<100).flatMap { bin in [Float](repeating: 1 + Float(bin) / 1024, count: 3) }
        values += [Float](repeating: 1 + 100 / 1024, count: 300)
        let small = Self.histogram(values)
        var running = Self.histogram(ActivationData.gaussian())
        var expected = running
        expected.merge(small)
        for encoded in [small, Self.histogram(ActivationData.relu())].map(Self.encoding) {
            var checker = ByteReader(encoded)
            try ActivationHistogram.skip(&checker)
            #expect(checker.isAtEnd)
        }
        var reader = ByteReader(Self.encoding(small))
        try running.add(encoded: &reader)
        #expect(running == expected)

        // Header 34 bytes, block key 2, map 128: the counts start at 164.
        let bytes = Self.encoding(small)
        #expect(bytes.count == 164 + 100 + 2)
        var zero = bytes
        zero[164 + 41] = 0
        var cut = Array(bytes.prefix(164 + 60))
        for (corrupt, offset) in [(zero, 164 + 41), (cut, 164 + 60)] {
            var corruptReader = ByteReader(corrupt)
            #expect {
                try ActivationHistogram.skip(&corruptReader)
            } throws: { error in
                "\(error)".contains("histogram bin count") && "\(error)".contains("\(offset)")
            }
        }
        cut = Array(bytes.dropLast())
        var cutReader = ByteReader(cut)
        #expect(throws: BinaryCodingError.self) { try ActivationHistogram.skip(&cutReader) }
    }

    /// Typical activations take well under 1 MB; values of every sign and exponent take
    /// every block, which is the stated bound.
    @Test func memoryStaysWithinItsBound() {
        #expect(ActivationHistogram.maximumMemoryBytes == 2 * 168 * 1024 * 8 + 512 * 2)
        #expect(ActivationHistogram.maximumMemoryBytes < 2_800_000)
        for (dataset, histogram) in zip(ActivationData.all, ActivationData.histograms) {
            #expect(histogram.memoryBytes < 1_000_000, "\(dataset.name): \(histogram.memoryBytes) bytes")
        }
        var everything = [Float]()
        for exponent in -40...127 {
            let magnitude = Float(sign: .plus, exponent: exponent, significand: 1)
            everything += [magnitude, -magnitude]
        }
        let worst = Self.histogram(everything + [.infinity, -.infinity, .greatestFiniteMagnitude])
        #expect(worst.memoryBytes == ActivationHistogram.maximumMemoryBytes)
        var merged = worst
        merged.merge(worst)
        #expect(merged.memoryBytes == ActivationHistogram.maximumMemoryBytes)
        #expect(merged.count == 2 * worst.count)
    }
}
