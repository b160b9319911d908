import Testing

@testable import Core

/// Per-image extremes and their means: exact, and independent of how images were split
/// and merged.
struct TensorStatisticsTests {
    /// Activation-like values of one image: scale and offset vary from image to image.
    static func image(_ index: Int) -> [Float] {
        var generator = SeededGenerator(seed: UInt64(index), stream: "tensor image")
        let scale = 0.5 + generator.unit() * 3
        let offset = generator.unit() - 0.2
        return (0..<1_001).map { _ in Float(offset + scale * generator.normal()) }
    }

    static func statistics(_ images: [Int]) -> TensorStatistics {
        var statistics = TensorStatistics()
        for index in images {
            image(index).withUnsafeBufferPointer { statistics.record(image: index, values: $0) }
        }
        return statistics
    }

    @Test func perImageFiguresAreExact() {
        let statistics = Self.statistics(Array(0..<5))
        #expect(statistics.imageCount == 5)
        for index in 0..<5 {
            let values = Self.image(index)
            let figures = statistics.perImage[index]!
            #expect(figures.minimum == values.min()! && figures.maximum == values.max()!)
            #expect(figures.absoluteMaximum == max(-values.min()!, values.max()!))
        }
        #expect(statistics.histogram.count == 5 * 1_001)
    }

    @Test func nonFiniteValuesAreCountedApartAndAnImageWithoutFiniteValuesIsInNoMean() throws {
        var statistics = TensorStatistics()
        let mixed: [Float] = [.nan, -3, 2, .infinity, .nan, -0.0, -.infinity]
        mixed.withUnsafeBufferPointer { statistics.record(image: 4, values: $0) }
        [Float.nan, .infinity].withUnsafeBufferPointer { statistics.record(image: 9, values: $0) }
        [Float(-1), 5].withUnsafeBufferPointer { statistics.record(image: 11, values: $0) }
        #expect(statistics.perImage[4] == ImageStatistics(minimum: -3, maximum: 2))
        #expect(statistics.perImage[9] == .empty)
        #expect(statistics.histogram.nanCount == 3)
        #expect(statistics.histogram.infinityCount == 3)
        #expect(statistics.histogram.count == 5)
        #expect(statistics.meanOfAbsoluteMaxima() == 4)
        #expect(statistics.meanOfMinima() == -2)
        #expect(statistics.meanOfMaxima() == 3.5)
        // An image recorded empty first and finite later takes the finite extremes.
        [Float(7)].withUnsafeBufferPointer { statistics.record(image: 9, values: $0) }
        #expect(statistics.perImage[9] == ImageStatistics(minimum: 7, maximum: 7))
        // A tensor with nothing finite has no finite values and picks no unsigned verdict from them.
        var empty = TensorStatistics()
        [Float.nan, -.infinity].withUnsafeBufferPointer { empty.record(image: 0, values: $0) }
        #expect(!empty.hasFiniteValues && empty.allMinimaNonNegative && empty.meanOfAbsoluteMaxima() == 0)
    }

    @Test func recordingAnImageInPartsCombinesItsExtremes() {
        var statistics = TensorStatistics()
        let values = Self.image(3)
        values.withUnsafeBufferPointer { buffer in
            statistics.record(image: 3, values: UnsafeBufferPointer(rebasing: buffer[..<500]))
            statistics.record(image: 3, values: UnsafeBufferPointer(rebasing: buffer[500...]))
        }
        #expect(statistics == Self.statistics([3]))
    }

    @Test func meansDoNotDependOnSplitOrOrder() throws {
        let images = Array(0..<40)
        let onePass = Self.statistics(images)
        let sum = images.reduce(0.0) { $0 + Double(onePass.perImage[$1]!.absoluteMaximum) }
        #expect(onePass.meanOfAbsoluteMaxima() == sum / 40)
        var generator = SeededGenerator(seed: 3)
        for _ in 0..<5 {
            let shuffled = images.shuffled(using: &generator)
            let cut = Int(generator.next() % 40)
            var merged = Self.statistics(Array(shuffled[cut...]))
            try merged.merge(Self.statistics(Array(shuffled[..<cut])))
            #expect(merged == onePass)
            #expect(merged.meanOfAbsoluteMaxima().bitPattern == onePass.meanOfAbsoluteMaxima().bitPattern)
            #expect(merged.meanOfMinima().bitPattern == onePass.meanOfMinima().bitPattern)
            #expect(merged.meanOfMaxima().bitPattern == onePass.meanOfMaxima().bitPattern)
        }
        #expect(onePass.meanOfMinima() < 0 && onePass.meanOfMaxima() > 0)
        #expect(!onePass.allMinimaNonNegative)
        #expect(TensorStatistics().meanOfAbsoluteMaxima() == 0 && TensorStatistics().allMinimaNonNegative)
    }

    @Test func unsignedWhenNoImageHasANegativeValue() {
        var statistics = TensorStatistics()
        let relu: [Float] = [0, 1, 2, -0.0]
        relu.withUnsafeBufferPointer { statistics.record(image: 0, values: $0) }
        #expect(statistics.allMinimaNonNegative)
        #expect(statistics.perImage[0]!.minimum.bitPattern == Float(0).bitPattern)
    }

    @Test func anImageInBothIsRefusedAndNothingChanges() {
        var first = Self.statistics([0, 1, 5, 7])
        let before = first
        let second = Self.statistics([2, 7, 5])
        #expect(throws: StatisticsError.duplicateImage(tensor: nil, image: 5)) { try first.merge(second) }
        #expect(first == before)
    }
}
