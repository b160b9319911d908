import Foundation
import Testing

@testable import Core

/// SQNR: 10 log10(Σ ref² / Σ (ref − test)²) over every element of every image.
struct QuantizationNoiseTests {
    private func noise(_ pairs: [([Float], [Float])]) -> QuantizationNoise {
        var noise = QuantizationNoise()
        for (reference, test) in pairs {
            reference.withUnsafeBufferPointer { r in test.withUnsafeBufferPointer { t in noise.add(reference: r, test: t) } }
        }
        return noise
    }

    @Test func decibelsOfSignalOverNoiseSummedOverImages() {
        // Σ ref² = 1 + 4 + 9 + 16 = 30; Σ noise² = 0 + 1 + 0 + 0.25 = 1.25.
        let found = noise([([1, 2], [1, 1]), ([3, 4], [3, 4.5])])
        #expect(found.signalEnergy == 30 && found.noiseEnergy == 1.25 && found.count == 4)
        #expect(abs(found.decibels - 10 * log10(24)) < 1e-12)
    }

    @Test func identicalTensorsAreInfinitelyCleanAndNonFinitePairsAreLeftOut() {
        #expect(noise([([1, -2], [1, -2])]).decibels == .infinity)
        let mixed = noise([([1, .nan, 2, .infinity], [1, 5, 1, 3])])
        #expect(mixed.count == 2 && mixed.nonFinite == 2)
        #expect(abs(mixed.decibels - 10 * log10(5)) < 1e-12)
        #expect(QuantizationNoise().decibels.isNaN)
        #expect(noise([([0, 0], [0, 0])]).decibels.isNaN)
    }
}
