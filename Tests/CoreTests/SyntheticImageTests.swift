import Core
import Testing

struct SyntheticImageTests {
    /// Mean and standard deviation of all samples.
    func statistics(_ image: RGBImage) -> (mean: Double, deviation: Double) {
        let count = Double(image.pixels.count)
        let mean = image.pixels.reduce(0.0) { $0 + Double($1) } / count
        let variance = image.pixels.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / count
        return (mean, variance.squareRoot())
    }

    @Test func sameIndexGivesSameBytes() {
        let first = RGBImage.synthetic(index: 7)
        let second = RGBImage.synthetic(index: 7)
        #expect(first == second)
        let cocoSizes: Set<[Int]> = [
            [640, 480], [480, 640], [640, 427], [640, 426], [500, 375], [612, 612], [640, 360], [427, 640],
            [640, 512], [375, 500],
        ]
        #expect(cocoSizes.contains([first.width, first.height]))
    }

    @Test func indicesAndSeedsGiveDifferentImages() {
        let base = RGBImage.synthetic(index: 3, seed: 11, width: 96, height: 64)
        let otherIndex = RGBImage.synthetic(index: 4, seed: 11, width: 96, height: 64)
        let otherSeed = RGBImage.synthetic(index: 3, seed: 12, width: 96, height: 64)
        #expect(base != otherIndex)
        #expect(base != otherSeed)
        #expect(base == RGBImage.synthetic(index: 3, seed: 11, width: 96, height: 64))
        #expect(base.width == 96 && base.height == 64 && base.pixels.count == 96 * 64 * 3)
    }

    @Test(arguments: 0..<6)
    func statisticsLookNatural(index: Int) {
        let image = RGBImage.synthetic(index: index, width: 160, height: 120)
        let (mean, deviation) = statistics(image)
        #expect(mean > 30 && mean < 225, "mean \(mean)")
        #expect(deviation > 15, "standard deviation \(deviation)")
        // Natural images are locally smooth but not flat: neighbours differ by a few levels
        // (noise, texture, edges), far less than in white noise (about 85 on average).
        var difference = 0.0
        for y in 0..<image.height {
            for x in 1..<image.width {
                let p = (y * image.width + x) * 3
                difference += abs(Double(image.pixels[p]) - Double(image.pixels[p - 3]))
            }
        }
        difference /= Double(image.height * (image.width - 1))
        #expect(difference > 0.5 && difference < 20, "mean neighbour difference \(difference)")
        // Not grey: the channel means differ somewhere in the set.
        let channelMeans = (0..<3).map { c in
            stride(from: c, to: image.pixels.count, by: 3).reduce(0.0) { $0 + Double(image.pixels[$1]) }
        }
        #expect(Set(channelMeans).count == 3)
    }

    @Test func degenerateSizesStillGiveAnImage() {
        let tiny = RGBImage.synthetic(index: 0, width: 0, height: -3)
        #expect(tiny.width == 1 && tiny.height == 1 && tiny.pixels.count == 3)
    }
}
