/// Dense 32-bit counters for every bin of every (sign, exponent) block of
/// `ActivationHistogram`, reused from tensor to tensor by one thread. Binning then indexes
/// a value's counter straight from its bit pattern: no table lookup, no check that its
/// block exists or that the value counts as zero, and the extremes in the same pass.
/// `ActivationHistogram` folds the counters into its blocks after each call and leaves them
/// zero again.
///
/// The counters come in `copies` copies, a value going to copy `position % copies`: a run of
/// one value (the zeros of ReLU outputs) then increments several counters in turn instead
/// of waiting on one counter's previous increment each time. 4 MiB (2 copies × 512 blocks ×
/// 1024 bins × 4 bytes), of which a call touches the blocks its values fall in (0.2 to 0.5
/// MB for activations). One per thread: binning writes into it.
public struct HistogramCounters: ~Copyable {
    /// Values per `count(_:)` call, so that no 32-bit counter can overflow.
    static let largestCall = Int(UInt32.max)
    /// Copies of the counters: values at even positions go to the first, at odd ones to
    /// the second.
    static let copies = 2
    /// Counters in one copy.
    static let copySize = ActivationHistogram.keyCount * ActivationHistogram.binsPerBlock

    /// `copies × copySize` counters, all zero between calls.
    let bins: UnsafeMutablePointer<UInt32>

    /// Zeroed counters.
    public init() {
        bins = .allocate(capacity: Self.copies * Self.copySize)
        bins.initialize(repeating: 0, count: Self.copies * Self.copySize)
    }

    deinit {
        bins.deallocate()
    }

    /// What one call saw besides its bin counts.
    struct Tally {
        var nans: UInt64 = 0
        var infinities: UInt64 = 0
        /// The finite extremes, raw (a tiny value stays itself, -0 may be either zero);
        /// +inf and -inf when no value was finite.
        var minimum = Float.infinity
        var maximum = -Float.infinity
    }

    /// Counts each finite value of `values` (at most `largestCall`) at `bits >> 13` of its
    /// copy, zero-class values (|x| < 2⁻⁴⁰) included, in the blocks of exponents below
    /// `ActivationHistogram.smallestExponent` (`takeZeros` sums them); NaN and infinities in
    /// the tally only. Eight values at a time: one vector test for NaN and infinities, the
    /// extremes by vector, then eight increments.
    mutating func count(_ values: UnsafeBufferPointer<Float>) -> Tally {
        precondition(values.count <= Self.largestCall, "\(values.count) values overflow 32-bit bin counters")
        var tally = Tally()
        guard let start = values.baseAddress else { return tally }
        let raw = UnsafeRawPointer(start)
        let exponentBits = SIMD8<UInt32>(repeating: 0x7f80_0000)
        let (even, odd) = (bins, bins + Self.copySize)
        let shift = ActivationHistogram.binShift
        var low = SIMD8<Float>(repeating: .infinity)
        var high = SIMD8<Float>(repeating: -.infinity)
        var index = 0
        while index + 8 <= values.count {
            let lanes = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<UInt32>.self)
            guard !any(lanes & exponentBits .== exponentBits) else {
                countOneByOne(UnsafeBufferPointer(rebasing: values[index..<index + 8]), from: index, into: &tally)
                index += 8
                continue
            }
            // No NaN here, so the comparisons order every lane.
            let floats = unsafeBitCast(lanes, to: SIMD8<Float>.self)
            low.replace(with: floats, where: floats .< low)
            high.replace(with: floats, where: floats .> high)
            // Scalar loads of the same words: extracting lanes from the vector costs more.
            let words = raw + index * 4
            func bin(_ lane: Int) -> Int {
                Int(words.load(fromByteOffset: lane * 4, as: UInt32.self) &>> shift)
            }
            even[bin(0)] &+= 1
            odd[bin(1)] &+= 1
            even[bin(2)] &+= 1
            odd[bin(3)] &+= 1
            even[bin(4)] &+= 1
            odd[bin(5)] &+= 1
            even[bin(6)] &+= 1
            odd[bin(7)] &+= 1
            index += 8
        }
        countOneByOne(UnsafeBufferPointer(rebasing: values[index...]), from: index, into: &tally)
        tally.minimum = min(tally.minimum, low.min())
        tally.maximum = max(tally.maximum, high.max())
        return tally
    }

    /// Counts `values`, which start at `position` of the call's values, one at a time, NaN
    /// and infinities included.
    private func countOneByOne(_ values: UnsafeBufferPointer<Float>, from position: Int, into tally: inout Tally) {
        for (offset, value) in values.enumerated() {
            guard value.isFinite else {
                if value.isNaN { tally.nans &+= 1 } else { tally.infinities &+= 1 }
                continue
            }
            tally.minimum = min(tally.minimum, value)
            tally.maximum = max(tally.maximum, value)
            let copy = (position + offset) % Self.copies
            bins[copy * Self.copySize + Int(value.bitPattern >> ActivationHistogram.binShift)] &+= 1
        }
    }

    /// Returns how many zero-class values were counted and zeroes their counters. `others`
    /// is how many values the call counted outside them (what `take(block:into:)` moved):
    /// when the zeros (+0 and -0, one bin each) make up the rest, the blocks of tiny values
    /// are not scanned.
    func takeZeros(finite: UInt64, others: UInt64) -> UInt64 {
        let negativeZero = 256 * ActivationHistogram.binsPerBlock
        var zeros: UInt64 = 0
        for copy in 0..<Self.copies {
            let counters = bins + copy * Self.copySize
            zeros += UInt64(counters[0]) + UInt64(counters[negativeZero])
            counters[0] = 0
            counters[negativeZero] = 0
        }
        guard zeros + others < finite else { return zeros }
        for sign in 0..<2 {
            for exponent in 0..<ActivationHistogram.smallestExponent {
                zeros += take(block: sign << 8 | exponent)
            }
        }
        return zeros
    }

    /// Whether block `key` counted anything, in any copy.
    func holdsCounts(block key: Int) -> Bool {
        var any = SIMD8<UInt32>()
        for copy in 0..<Self.copies {
            let block = UnsafeRawPointer(bins + copy * Self.copySize + key * ActivationHistogram.binsPerBlock)
            for offset in stride(from: 0, to: ActivationHistogram.binsPerBlock * 4, by: 32) {
                any |= block.loadUnaligned(fromByteOffset: offset, as: SIMD8<UInt32>.self)
            }
        }
        return any != SIMD8()
    }

    /// Adds block `key`'s counts, all copies together, to `target` (`binsPerBlock` counts),
    /// zeroes them, and returns how many values they counted.
    @discardableResult
    func take(block key: Int, into target: UnsafeMutablePointer<UInt64>? = nil) -> UInt64 {
        var total: UInt64 = 0
        for copy in 0..<Self.copies {
            let block = bins + copy * Self.copySize + key * ActivationHistogram.binsPerBlock
            for bin in 0..<ActivationHistogram.binsPerBlock {
                total &+= UInt64(block[bin])
            }
            if let target {
                for bin in 0..<ActivationHistogram.binsPerBlock {
                    target[bin] &+= UInt64(block[bin])
                }
            }
            block.update(repeating: 0, count: ActivationHistogram.binsPerBlock)
        }
        return total
    }
}
