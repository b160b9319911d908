/// Dense 32-bit counters for every bin of every (sign, exponent) block of
/// `ActivationHistogram`, reused from tensor to tensor by one thread. Binning then indexes
/// a value's counter straight from its bit pattern: no table lookup, no check that its
/// block exists, and the extremes in the same pass. `ActivationHistogram` folds the
/// counters into its blocks after each call and leaves them zero again.
///
/// 2 MiB (512 blocks × 1024 bins × 4 bytes), of which a call touches the blocks its values
/// fall in (0.1 to 0.25 MB for activations). One per thread: binning writes into it.
public struct HistogramCounters: ~Copyable {
    /// Values per `count(_:)` call, so that no 32-bit counter can overflow.
    static let largestCall = Int(UInt32.max)
    /// The counters for zero-class values (|x| < 2⁻⁴⁰): bins 0 to 7 of block 0 (sign +,
    /// exponent 0), one per SIMD lane, so consecutive zeros do not wait on one counter.
    /// Block 0 holds nothing else: exponent 0 is below `ActivationHistogram.smallestExponent`.
    static let zeroLanes = 8

    /// `ActivationHistogram.keyCount × binsPerBlock` counters, all zero between calls.
    let bins: UnsafeMutablePointer<UInt32>

    /// Zeroed counters.
    public init() {
        let total = ActivationHistogram.keyCount * ActivationHistogram.binsPerBlock
        bins = .allocate(capacity: total)
        bins.initialize(repeating: 0, count: total)
    }

    deinit {
        bins.deallocate()
    }

    /// What one call saw besides its bin counts.
    struct Tally {
        /// Zero-class values counted here (more are in the zero lanes' counters).
        var zeros: UInt64 = 0
        var nans: UInt64 = 0
        var infinities: UInt64 = 0
        /// The finite extremes, raw (a tiny value stays itself, -0 may be either zero);
        /// +inf and -inf when no value was finite.
        var minimum = Float.infinity
        var maximum = -Float.infinity
    }

    /// Counts each value of `values` (at most `largestCall`) in its bin: a finite
    /// non-zero-class value at `bits >> 13`, a zero-class value in a zero lane's counter,
    /// NaN and infinities in the tally only. Eight values at a time; eight that all count as
    /// zero (ReLU outputs have runs of them) are counted at once.
    mutating func count(_ values: UnsafeBufferPointer<Float>) -> Tally {
        precondition(values.count <= Self.largestCall, "\(values.count) values overflow 32-bit bin counters")
        var tally = Tally()
        guard let start = values.baseAddress else { return tally }
        let raw = UnsafeRawPointer(start)
        let exponentBits = SIMD8<UInt32>(repeating: 0x7f80_0000)
        let smallestNonZero = SIMD8<UInt32>(repeating: UInt32(ActivationHistogram.smallestExponent) << ActivationHistogram.keyShift)
        let zeroLanes = SIMD8<UInt32>(0, 1, 2, 3, 4, 5, 6, 7)
        var low = SIMD8<Float>(repeating: .infinity)
        var high = SIMD8<Float>(repeating: -.infinity)
        var index = 0
        while index + 8 <= values.count {
            let lanes = raw.loadUnaligned(fromByteOffset: index * 4, as: SIMD8<UInt32>.self)
            let exponents = lanes & exponentBits
            guard !any(exponents .== exponentBits) else {
                countOneByOne(UnsafeBufferPointer(rebasing: values[index..<index + 8]), into: &tally)
                index += 8
                continue
            }
            // No NaN here, so the comparisons order every lane.
            let floats = unsafeBitCast(lanes, to: SIMD8<Float>.self)
            low.replace(with: floats, where: floats .< low)
            high.replace(with: floats, where: floats .> high)
            let zero = exponents .< smallestNonZero
            if all(zero) {
                tally.zeros &+= 8
            } else {
                let zeroMask = unsafeBitCast(zero, to: SIMD8<UInt32>.self)
                let slots = (lanes &>> ActivationHistogram.binShift) & ~zeroMask | zeroLanes & zeroMask
                withUnsafeBytes(of: slots) { slots in
                    for lane in 0..<8 {
                        bins[Int(slots.load(fromByteOffset: lane * 4, as: UInt32.self))] &+= 1
                    }
                }
            }
            index += 8
        }
        countOneByOne(UnsafeBufferPointer(rebasing: values[index...]), into: &tally)
        tally.minimum = min(tally.minimum, low.min())
        tally.maximum = max(tally.maximum, high.max())
        return tally
    }

    /// Counts `values` one at a time, NaN and infinities included.
    private func countOneByOne(_ values: UnsafeBufferPointer<Float>, into tally: inout Tally) {
        for value in values {
            let bits = value.bitPattern
            let exponent = Int((bits >> ActivationHistogram.keyShift) & 0xff)
            if exponent == 0xff {
                if value.isNaN { tally.nans &+= 1 } else { tally.infinities &+= 1 }
                continue
            }
            tally.minimum = min(tally.minimum, value)
            tally.maximum = max(tally.maximum, value)
            if exponent < ActivationHistogram.smallestExponent {
                tally.zeros &+= 1
            } else {
                bins[Int(bits >> ActivationHistogram.binShift)] &+= 1
            }
        }
    }

    /// Returns the zero lanes' counts, summed, and zeroes them.
    func takeZeros() -> UInt64 {
        var zeros: UInt64 = 0
        for lane in 0..<Self.zeroLanes {
            zeros += UInt64(bins[lane])
            bins[lane] = 0
        }
        return zeros
    }

    /// Whether block `key` counted anything.
    func holdsCounts(block key: Int) -> Bool {
        let block = UnsafeRawPointer(bins + key * ActivationHistogram.binsPerBlock)
        var any = SIMD8<UInt32>()
        for offset in stride(from: 0, to: ActivationHistogram.binsPerBlock * 4, by: 32) {
            any |= block.loadUnaligned(fromByteOffset: offset, as: SIMD8<UInt32>.self)
        }
        return any != SIMD8()
    }

    /// Adds block `key`'s counts to `target` (`binsPerBlock` counts) and zeroes them.
    func take(block key: Int, into target: UnsafeMutablePointer<UInt64>) {
        let block = bins + key * ActivationHistogram.binsPerBlock
        for bin in 0..<ActivationHistogram.binsPerBlock {
            target[bin] &+= UInt64(block[bin])
        }
        block.update(repeating: 0, count: ActivationHistogram.binsPerBlock)
    }
}
