/// Dense 32-bit counters for every bin of every (sign, exponent) block of
/// `ActivationHistogram`, reused from tensor to tensor by one thread. Binning then indexes
/// a value's counter straight from its bit pattern: no table lookup, no check that its
/// block exists, that it counts as zero or that it is a number, and the extremes in the
/// same pass.
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

    /// Counts every value of `values` (at most `largestCall`) at `bits >> 13` of its copy:
    /// zero-class values (|x| < 2⁻⁴⁰) in the blocks of exponents below
    /// `ActivationHistogram.smallestExponent` (`takeZeros` sums them), NaN and infinities in
    /// the two blocks of exponent 255, which this empties. Eight values at a time: the
    /// extremes by vector (a NaN compares false and never becomes one), then eight
    /// increments, no test per value; only a call that met a NaN or an infinity goes over
    /// its values again, one at a time, for the finite extremes and the tally.
    mutating func count(_ values: UnsafeBufferPointer<Float>) -> Tally {
        precondition(values.count <= Self.largestCall, "\(values.count) values overflow 32-bit bin counters")
        var tally = Tally()
        guard let start = values.baseAddress else { return tally }
        let raw = UnsafeRawPointer(start)
        let (even, odd) = (bins, bins + Self.copySize)
        let shift = ActivationHistogram.binShift
        var low = SIMD8<Float>(repeating: .infinity)
        var high = SIMD8<Float>(repeating: -.infinity)
        var index = 0
        while index + 8 <= values.count {
            let words = raw + index * 4
            let floats = words.loadUnaligned(as: SIMD8<Float>.self)
            low.replace(with: floats, where: floats .< low)
            high.replace(with: floats, where: floats .> high)
            // Scalar loads of the same words: extracting lanes from the vector costs more.
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
        for position in index..<values.count {
            let value = values[position]
            if value < tally.minimum { tally.minimum = value }
            if value > tally.maximum { tally.maximum = value }
            bins[(position % Self.copies) * Self.copySize + Int(value.bitPattern >> shift)] &+= 1
        }
        tally.minimum = min(tally.minimum, low.min())
        tally.maximum = max(tally.maximum, high.max())
        // NaN and ±infinity have exponent 255: blocks 255 (+) and 511 (-), whose bins do
        // not tell a NaN with a small payload from an infinity.
        let nonFinite = [0x0ff, 0x1ff].reduce(0) { holdsCounts(block: $1) ? $0 + take(block: $1) : $0 }
        if nonFinite > 0 {
            (tally.minimum, tally.maximum) = (.infinity, -.infinity)
            for value in values {
                if value.isFinite {
                    tally.minimum = min(tally.minimum, value)
                    tally.maximum = max(tally.maximum, value)
                } else if value.isNaN {
                    tally.nans += 1
                } else {
                    tally.infinities += 1
                }
            }
        }
        return tally
    }

    /// Returns how many zero-class values were counted and zeroes their counters. `finite`
    /// is how many finite values the call counted, `others` how many of them were moved
    /// out by `take(block:into:)`: when the bins of ±0 (with the smallest subnormals) make
    /// up the rest, the blocks of tiny values are not scanned.
    func takeZeros(finite: UInt64, others: UInt64) -> UInt64 {
        var zeros: UInt64 = 0
        for copy in 0..<Self.copies {
            for zero in [counters(ofBlock: 0, copy: copy), counters(ofBlock: 256, copy: copy)] {
                zeros += UInt64(zero.pointee)
                zero.pointee = 0
            }
        }
        guard zeros + others < finite else { return zeros }
        for sign in 0..<2 {
            for exponent in 0..<ActivationHistogram.smallestExponent where holdsCounts(block: sign << 8 | exponent) {
                zeros += take(block: sign << 8 | exponent)
            }
        }
        return zeros
    }

    /// The `binsPerBlock` counters of block `key` in copy `copy`.
    private func counters(ofBlock key: Int, copy: Int) -> UnsafeMutablePointer<UInt32> {
        bins + copy * Self.copySize + key * ActivationHistogram.binsPerBlock
    }

    /// Whether block `key` counted anything, in any copy.
    func holdsCounts(block key: Int) -> Bool {
        var any = SIMD8<UInt32>()
        for copy in 0..<Self.copies {
            let block = UnsafeRawPointer(counters(ofBlock: key, copy: copy))
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
            let block = counters(ofBlock: key, copy: copy)
            for bin in 0..<ActivationHistogram.binsPerBlock {
                let count = UInt64(block[bin])
                total &+= count
                target?[bin] &+= count
            }
            block.update(repeating: 0, count: ActivationHistogram.binsPerBlock)
        }
        return total
    }
}
