/// The distribution of one activation tensor's values over the calibration set, with no
/// range fixed in advance and an exact merge, so that workers can each histogram their own
/// images and the coordinator can add the results in any grouping and order.
///
/// A value's bin is its float bit pattern without the low 13 mantissa bits (sign, 8
/// exponent bits, 10 mantissa bits): every bin spans `[a, a·(1 + 2⁻¹⁰))` in magnitude, 0.098 %
/// of its values, at every scale, and bins of two histograms line up by construction.
/// - Values with |x| < 2⁻⁴⁰ (zeros, subnormals) share one zero bin and are taken as 0.
/// - NaN and ±infinity are counted apart (`nanCount`, `infinityCount`) and are in no
///   bin, minimum, maximum or `count`: a range picked from them could not be written.
///
/// Counts live in blocks of 1024 bins, one block per (sign, exponent) pair actually seen,
/// allocated on first use and kept in ascending (sign, exponent) order, so equal contents
/// mean equal storage whatever the order values and merges came in. Memory: 8 KiB a block;
/// at most 2 signs × 168 exponents (2⁻⁴⁰ to 2¹²⁸) = 336 blocks plus a 1 KiB table,
/// `maximumMemoryBytes` ≈ 2.75 MB; activations span 30 to 60 blocks, 0.25 to 0.5 MB.
public struct ActivationHistogram: Sendable, Equatable {
    /// Low mantissa bits dropped from a value's bit pattern to get its bin.
    static let binShift: UInt32 = 13
    static let binsPerBlock = 1024
    /// Bit patterns shifted right by this give the block key `sign << 8 | exponent`.
    static let keyShift: UInt32 = 23
    static let keyCount = 512
    /// Biased exponent of 2⁻⁴⁰: below it a value counts as zero.
    static let smallestExponent = 87
    static let largestExponent = 254
    /// Magnitudes below this count in the zero bin.
    public static let zeroBound = 0x1p-40
    /// The most memory `memoryBytes` can report: every block of every sign allocated.
    public static let maximumMemoryBytes =
        2 * (largestExponent - smallestExponent + 1) * binsPerBlock * MemoryLayout<UInt64>.size
        + keyCount * MemoryLayout<Int16>.size

    /// For each key `sign << 8 | exponent`, the position of its block in `counts`, or -1.
    private var blockOfKey = [Int16](repeating: -1, count: keyCount)
    /// The blocks' counts, block after block in ascending key order.
    private var counts: [UInt64] = []
    /// Values with |x| < `zeroBound`.
    public private(set) var zeroCount: UInt64 = 0
    /// NaN values, which are in no bin.
    public private(set) var nanCount: UInt64 = 0
    /// +infinity and -infinity values, which are in no bin.
    public private(set) var infinityCount: UInt64 = 0
    /// The finite values (NaN and infinities aside).
    public private(set) var count: UInt64 = 0
    /// The exact extremes, +0 for any zero; +inf and -inf while empty.
    private var lowest = Float.infinity
    private var highest = -Float.infinity

    /// An empty histogram.
    public init() {}

    /// Bytes held by the bin counts and the block table; at most `maximumMemoryBytes`.
    public var memoryBytes: Int {
        counts.count * MemoryLayout<UInt64>.size + blockOfKey.count * MemoryLayout<Int16>.size
    }

    /// The smallest value added (exact, zero as +0), or nil when there is none.
    public var minimum: Double? { count == 0 ? nil : Double(lowest) }

    /// The largest value added (exact, zero as +0), or nil when there is none.
    public var maximum: Double? { count == 0 ? nil : Double(highest) }

    /// The largest magnitude added, or nil when there is none.
    var absoluteMaximum: Double? { count == 0 ? nil : Double(max(-lowest, highest)) }

    // MARK: - Adding values

    /// Adds every value of `values`, with counters of its own (4 MiB allocated and zeroed
    /// per call); code that bins many tensors passes its `HistogramCounters`.
    public mutating func add(_ values: UnsafeBufferPointer<Float>) {
        var counters = HistogramCounters()
        _ = accumulate(values, counters: &counters)
    }

    /// Adds every value of `values`, binned in `counters` (left zero again).
    public mutating func add(_ values: UnsafeBufferPointer<Float>, counters: inout HistogramCounters) {
        _ = accumulate(values, counters: &counters)
    }

    /// Adds `values` and returns their finite extremes (NaN and infinities ignored, zero as
    /// +0), or nil when none of them is a finite number. This runs over every activation of
    /// every calibration image: `counters` bins them, then their blocks are added here.
    mutating func accumulate(
        _ values: UnsafeBufferPointer<Float>, counters: inout HistogramCounters
    ) -> (minimum: Float, maximum: Float)? {
        var minimum = Float.infinity
        var maximum = -Float.infinity
        var uncounted: UInt64 = 0
        for start in stride(from: 0, to: values.count, by: HistogramCounters.largestCall) {
            let chunk = UnsafeBufferPointer(rebasing: values[start..<min(start + HistogramCounters.largestCall, values.count)])
            let tally = counters.count(chunk)
            let uncountable = tally.nans + tally.infinities
            add(counters: counters, finite: UInt64(chunk.count) - uncountable, minimum: tally.minimum, maximum: tally.maximum)
            minimum = min(minimum, tally.minimum)
            maximum = max(maximum, tally.maximum)
            nanCount += tally.nans
            infinityCount += tally.infinities
            uncounted += uncountable
        }
        count += UInt64(values.count) - uncounted
        guard minimum <= maximum else { return nil }
        // -0 and +0 compare equal, so which one survives would depend on the order.
        if minimum == 0 { minimum = 0 }
        if maximum == 0 { maximum = 0 }
        lowest = min(lowest, minimum)
        highest = max(highest, maximum)
        return (minimum, maximum)
    }

    /// Moves what `counters` binned (`finite` values) into the blocks and the zero count,
    /// allocating the blocks that counted something. Only blocks between the smallest
    /// exponent and the extremes' can hold counts: positive ones up to `maximum`'s exponent,
    /// negative ones up to `minimum`'s; the rest is zero-class.
    private mutating func add(counters: borrowing HistogramCounters, finite: UInt64, minimum: Float, maximum: Float) {
        var moved: UInt64 = 0
        for (sign, extreme) in [(0, maximum), (1, -minimum)] where extreme > 0 && extreme.isFinite {
            let largest = Int((extreme.bitPattern >> Self.keyShift) & 0xff)
            guard largest >= Self.smallestExponent else { continue }
            for exponent in Self.smallestExponent...largest {
                let key = sign << 8 | exponent
                guard counters.holdsCounts(block: key) else { continue }
                if blockOfKey[key] < 0 { insertBlock(key) }
                let position = Int(blockOfKey[key]) * Self.binsPerBlock
                moved += counts.withUnsafeMutableBufferPointer { counters.take(block: key, into: $0.baseAddress! + position) }
            }
        }
        zeroCount += counters.takeZeros(finite: finite, others: moved)
    }

    /// Allocates the zeroed block of `key` at its place in key order.
    private mutating func insertBlock(_ key: Int) {
        let position = blockOfKey[..<key].count { $0 >= 0 }
        let split = position * Self.binsPerBlock
        if split == counts.count {
            // After every block there is (always so when reading an encoding into an empty
            // histogram): appended, in amortized constant time.
            counts.append(contentsOf: repeatElement(0, count: Self.binsPerBlock))
            blockOfKey[key] = Int16(position)
            return
        }
        var grown = [UInt64]()
        grown.reserveCapacity(counts.count + Self.binsPerBlock)
        grown += counts[..<split]
        grown += repeatElement(0, count: Self.binsPerBlock)
        grown += counts[split...]
        counts = grown
        for later in key + 1..<Self.keyCount where blockOfKey[later] >= 0 {
            blockOfKey[later] += 1
        }
        blockOfKey[key] = Int16(position)
    }

    // MARK: - Merging

    /// Adds `other`'s counts to these. Exact (integer addition), commutative and
    /// associative: any grouping and order of merges gives an identical histogram.
    public mutating func merge(_ other: ActivationHistogram) {
        for key in 0..<Self.keyCount where other.blockOfKey[key] >= 0 {
            if blockOfKey[key] < 0 { insertBlock(key) }
            let target = Int(blockOfKey[key]) * Self.binsPerBlock
            let source = Int(other.blockOfKey[key]) * Self.binsPerBlock
            for bin in 0..<Self.binsPerBlock {
                counts[target + bin] += other.counts[source + bin]
            }
        }
        zeroCount += other.zeroCount
        nanCount += other.nanCount
        infinityCount += other.infinityCount
        count += other.count
        lowest = min(lowest, other.lowest)
        highest = max(highest, other.highest)
    }

    // MARK: - Reading the distribution

    /// The magnitude range `[lower, upper)` of bin `bin` of exponent `exponent`.
    private static func edges(exponent: Int, bin: Int) -> (lower: Double, upper: Double) {
        let scale = Double(sign: .plus, exponent: exponent - 127, significand: 1)
        return (scale * (1 + Double(bin) / 1024), scale * (1 + Double(bin + 1) / 1024))
    }

    /// The non-empty bins in ascending order of value; each covers `[lower, upper]` (the
    /// zero bin is the point 0).
    func signedBins() -> [(lower: Double, upper: Double, count: UInt64)] {
        var bins = [(lower: Double, upper: Double, count: UInt64)]()
        for exponent in (Self.smallestExponent...Self.largestExponent).reversed() {
            let block = Int(blockOfKey[0x100 | exponent])
            guard block >= 0 else { continue }
            for bin in (0..<Self.binsPerBlock).reversed() {
                let count = counts[block * Self.binsPerBlock + bin]
                guard count > 0 else { continue }
                let (lower, upper) = Self.edges(exponent: exponent, bin: bin)
                bins.append((-upper, -lower, count))
            }
        }
        if zeroCount > 0 { bins.append((0, 0, zeroCount)) }
        for exponent in Self.smallestExponent...Self.largestExponent {
            let block = Int(blockOfKey[exponent])
            guard block >= 0 else { continue }
            for bin in 0..<Self.binsPerBlock {
                let count = counts[block * Self.binsPerBlock + bin]
                guard count > 0 else { continue }
                let (lower, upper) = Self.edges(exponent: exponent, bin: bin)
                bins.append((lower, upper, count))
            }
        }
        return bins
    }

    /// The non-empty bins of |x|, both signs added, in ascending order: the zero bin first
    /// as `[0, 2⁻⁴⁰)`, then `[lower, upper)` ranges of relative width 2⁻¹⁰.
    public func absoluteValues() -> [(lower: Double, upper: Double, count: UInt64)] {
        var bins = [(lower: Double, upper: Double, count: UInt64)]()
        if zeroCount > 0 { bins.append((0, Self.zeroBound, zeroCount)) }
        for exponent in Self.smallestExponent...Self.largestExponent {
            let positive = Int(blockOfKey[exponent])
            let negative = Int(blockOfKey[0x100 | exponent])
            guard positive >= 0 || negative >= 0 else { continue }
            for bin in 0..<Self.binsPerBlock {
                let count = (positive < 0 ? 0 : counts[positive * Self.binsPerBlock + bin])
                    + (negative < 0 ? 0 : counts[negative * Self.binsPerBlock + bin])
                guard count > 0 else { continue }
                let (lower, upper) = Self.edges(exponent: exponent, bin: bin)
                bins.append((lower, upper, count))
            }
        }
        return bins
    }

    /// The `q`-quantile (q in [0, 1]) of the values, NaN aside: the value of rank
    /// `q·(count − 1)` in ascending order, interpolated linearly between neighbouring ranks
    /// (as `numpy.quantile`'s default). Within a bin of c values the k-th sits at
    /// `(k + ½)/c` of its width; ranks 0 and count − 1 are the exact minimum and maximum.
    /// Within 0.098 % of the quantile of the raw values. 0 when the histogram is empty.
    public func quantile(_ q: Double) -> Double {
        guard count > 0 else { return 0 }
        let rank = min(max(q, 0), 1) * Double(count - 1)
        let below = min(UInt64(rank.rounded(.down)), count - 1)
        let fraction = rank - Double(below)
        let bins = signedBins()
        let value = self.value(ofRank: below, bins: bins)
        guard fraction > 0, below + 1 < count else { return value }
        return value + fraction * (self.value(ofRank: below + 1, bins: bins) - value)
    }

    /// The value of rank `rank` (0-based, ascending), assuming values spread evenly in a bin.
    private func value(ofRank rank: UInt64, bins: [(lower: Double, upper: Double, count: UInt64)]) -> Double {
        let low = Double(lowest)
        let high = Double(highest)
        if rank == 0 { return low }
        if rank == count - 1 { return high }
        var start: UInt64 = 0
        for bin in bins {
            if rank < start + bin.count {
                let position = (Double(rank - start) + 0.5) / Double(bin.count)
                return min(max(bin.lower + position * (bin.upper - bin.lower), low), high)
            }
            start += bin.count
        }
        return high
    }

    // MARK: - Encoding

    /// Appends the canonical encoding: equal histograms give equal bytes. Layout: NaN,
    /// infinity and zero counts (`UInt64`), minimum and maximum (`Float`), block count (`UInt16`), then
    /// per block in key order its key `sign << 8 | exponent` (`UInt16`), a 128-byte map of
    /// its non-empty bins and their counts (compact integers).
    public func encode(into writer: inout ByteWriter) {
        writer.write(nanCount)
        writer.write(infinityCount)
        writer.write(zeroCount)
        writer.write(lowest)
        writer.write(highest)
        writer.write(UInt16(counts.count / Self.binsPerBlock))
        for key in 0..<Self.keyCount where blockOfKey[key] >= 0 {
            writer.write(UInt16(key))
            let block = counts[Int(blockOfKey[key]) * Self.binsPerBlock..<(Int(blockOfKey[key]) + 1) * Self.binsPerBlock]
            var map = [UInt8](repeating: 0, count: Self.binsPerBlock / 8)
            for (bin, count) in zip(0..., block) where count > 0 {
                map[bin / 8] |= 1 << (bin % 8)
            }
            writer.write(raw: map)
            for count in block where count > 0 {
                writer.writeCompact(count)
            }
        }
    }

    /// Reads an encoding written by `encode(into:)`, refusing anything `encode` would not
    /// have written (keys out of order or out of range, empty blocks or bins, inconsistent
    /// extremes), so that decoding and encoding again gives the same bytes.
    public init(decoding reader: inout ByteReader) throws {
        self.init()
        try read(&reader, adding: true)
    }

    /// Checks the encoded histogram at `reader` as `init(decoding:)` does and moves past
    /// it, keeping nothing: the first pass of a merge straight from the encoding.
    public static func skip(_ reader: inout ByteReader) throws {
        var scratch = ActivationHistogram()
        try scratch.read(&reader, adding: false)
    }

    /// Adds the encoded histogram at `reader` to this one without decoding it first: each
    /// bin's count goes straight into the running sums. Exact, like `merge(_:)`. Pass only
    /// an encoding `skip` accepted: a bad one throws with part of it already added.
    public mutating func add(encoded reader: inout ByteReader) throws {
        try read(&reader, adding: true)
    }

    /// Reads one encoded histogram, checking everything; `adding` adds it to this one.
    private mutating func read(_ reader: inout ByteReader, adding: Bool) throws {
        let nans = try reader.read(UInt64.self, "histogram NaN count")
        let infinities = try reader.read(UInt64.self, "histogram infinity count")
        let zeros = try reader.read(UInt64.self, "histogram zero count")
        let extremesOffset = reader.offset
        let low = try reader.readFloat("histogram minimum")
        let high = try reader.readFloat("histogram maximum")
        let blockCount = Int(try reader.read(UInt16.self, "histogram block count"))
        let total = try reader.consume { bytes, offset in
            try readBlocks(bytes, offset: offset, count: blockCount, total: zeros, adding: adding)
        }
        let consistent = total == 0
            ? low == .infinity && high == -.infinity
            : low.isFinite && high.isFinite && low <= high
        guard consistent else {
            throw BinaryCodingError.invalid(
                field: "histogram minimum and maximum", offset: extremesOffset,
                reason: "(\(low), \(high)) do not fit \(total) values")
        }
        guard adding else { return }
        nanCount += nans
        infinityCount += infinities
        zeroCount += zeros
        count += total
        lowest = min(lowest, low)
        highest = max(highest, high)
    }

    /// Reads `blockCount` encoded blocks from `bytes` (which start at `offset` of the
    /// whole), adding their counts when `adding`; returns `total` plus their counts and
    /// the bytes used. The map is read a 64-bit word at a time, and the counts of its set
    /// bins eight at a time while they are one byte each (`OneByteCounts`).
    private mutating func readBlocks(
        _ bytes: UnsafeBufferPointer<UInt8>, offset: Int, count blockCount: Int, total start: UInt64, adding: Bool
    ) throws -> (result: UInt64, used: Int) {
        let mapBytes = Self.binsPerBlock / 8
        var position = 0
        var total = start
        var previousKey = -1
        for _ in 0..<blockCount {
            guard bytes.count - position >= 2 else {
                throw BinaryCodingError.truncated(
                    field: "histogram block key", offset: offset + position, needed: 2, available: bytes.count - position)
            }
            let key = Int(bytes[position]) | Int(bytes[position + 1]) << 8
            let exponent = key & 0xff
            guard key > previousKey, key < Self.keyCount, exponent >= Self.smallestExponent, exponent <= Self.largestExponent else {
                throw BinaryCodingError.invalid(
                    field: "histogram block key", offset: offset + position, reason: "\(key) is out of range or out of order")
            }
            previousKey = key
            position += 2
            guard bytes.count - position >= mapBytes else {
                throw BinaryCodingError.truncated(
                    field: "histogram bin map", offset: offset + position, needed: mapBytes, available: bytes.count - position)
            }
            let map = position
            position += mapBytes
            // Bit b of map byte k is bin 8k + b, so in little-endian word w it is bin 64w + b.
            let words = UnsafeRawPointer(bytes.baseAddress! + map)
            let wordCount = mapBytes / 8
            func mapWord(_ word: Int) -> UInt64 {
                UInt64(littleEndian: words.loadUnaligned(fromByteOffset: word * 8, as: UInt64.self))
            }
            guard (0..<wordCount).contains(where: { mapWord($0) != 0 }) else {
                throw BinaryCodingError.invalid(field: "histogram bin map", offset: offset + map, reason: "has no bin")
            }
            if adding, blockOfKey[key] < 0 { insertBlock(key) }
            let block = adding ? Int(blockOfKey[key]) * Self.binsPerBlock : 0
            try counts.withUnsafeMutableBufferPointer { storage in
                for word in 0..<wordCount {
                    var bits = mapWord(word)
                    guard bits != 0 else { continue }
                    let setBins = bits.nonzeroBitCount
                    if let sum = OneByteCounts.sum(bytes, from: position, count: setBins) {
                        let (newTotal, overflow) = total.addingReportingOverflow(sum)
                        guard !overflow else {
                            throw BinaryCodingError.invalid(field: "histogram bin count", offset: offset + position, reason: "is too large")
                        }
                        total = newTotal
                        if adding {
                            var next = position
                            while bits != 0 {
                                storage[block + word * 64 + bits.trailingZeroBitCount] += UInt64(bytes[next])
                                bits &= bits &- 1
                                next += 1
                            }
                        }
                        position += setBins
                        continue
                    }
                    // Some count of this word takes more than one byte, or is invalid.
                    while bits != 0 {
                        let bin = word * 64 + bits.trailingZeroBitCount
                        bits &= bits &- 1
                        let countOffset = position
                        let value: UInt64
                        if position < bytes.count, bytes[position] & 0x80 == 0 {
                            value = UInt64(bytes[position])
                            position += 1
                        } else {
                            value = try Self.readCompact(bytes, at: &position, offset: offset)
                        }
                        let (sum, overflow) = total.addingReportingOverflow(value)
                        guard value > 0, !overflow else {
                            throw BinaryCodingError.invalid(
                                field: "histogram bin count", offset: offset + countOffset,
                                reason: "is \(value == 0 ? "zero" : "too large")")
                        }
                        total = sum
                        if adding { storage[block + bin] += value }
                    }
                }
            }
        }
        return (total, position)
    }

    /// A compact integer (`ByteWriter.writeCompact`) at `position`, which it moves past it.
    @inline(__always)
    private static func readCompact(_ bytes: UnsafeBufferPointer<UInt8>, at position: inout Int, offset: Int) throws -> UInt64 {
        let start = position
        var value: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard position < bytes.count else {
                throw BinaryCodingError.truncated(field: "histogram bin count", offset: offset + position, needed: 1, available: 0)
            }
            let byte = bytes[position]
            position += 1
            let payload = UInt64(byte & 0x7f)
            guard shift < 64, (payload << shift) >> shift == payload else {
                throw BinaryCodingError.invalid(field: "histogram bin count", offset: offset + start, reason: "does not fit 64 bits")
            }
            value |= payload << shift
            if byte & 0x80 == 0 {
                if byte == 0 && position - start > 1 {
                    throw BinaryCodingError.invalid(
                        field: "histogram bin count", offset: offset + start, reason: "is encoded in more bytes than needed")
                }
                return value
            }
            shift += 7
        }
    }
}
