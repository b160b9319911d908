import Foundation

/// The signal-to-quantization-noise ratio of one tensor of an int8 model against the same
/// tensor of its FP32 reference, over many images: `10 log10(Σ ref² / Σ (ref − int8)²)`
/// in dB, summed over every element of every image. Higher is better; identical tensors
/// give +infinity. Accumulated in Double so the order of images does not matter beyond
/// rounding.
public struct QuantizationNoise: Sendable, Equatable {
    /// Σ reference², over the finite pairs.
    public private(set) var signalEnergy = 0.0
    /// Σ (reference − test)², over the finite pairs.
    public private(set) var noiseEnergy = 0.0
    /// Elements compared.
    public private(set) var count = 0
    /// Pairs left out because either value is NaN or infinite.
    public private(set) var nonFinite = 0

    public init() {}

    /// Adds one image's tensor; `reference` and `test` must have the same length.
    public mutating func add(reference: UnsafeBufferPointer<Float>, test: UnsafeBufferPointer<Float>) {
        precondition(reference.count == test.count, "tensors of \(reference.count) and \(test.count) values")
        var signal = 0.0
        var noise = 0.0
        var skipped = 0
        for index in 0..<reference.count {
            let (r, t) = (reference[index], test[index])
            guard r.isFinite, t.isFinite else {
                skipped += 1
                continue
            }
            signal += Double(r) * Double(r)
            let difference = Double(r) - Double(t)
            noise += difference * difference
        }
        signalEnergy += signal
        noiseEnergy += noise
        count += reference.count - skipped
        nonFinite += skipped
    }

    /// The ratio in dB: +infinity without noise, -infinity without signal, NaN without values.
    public var decibels: Double {
        guard count > 0 else { return .nan }
        if noiseEnergy == 0 { return signalEnergy == 0 ? .nan : .infinity }
        return 10 * log10(signalEnergy / noiseEnergy)
    }
}
