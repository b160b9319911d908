/// One per-channel figure (a `ChannelReduction`: means, minima or maxima) of one tensor,
/// image by image. Kept by image index, like the other statistics, so merging is exact
/// and the mean over images is summed in ascending index order, bit-identical however
/// the images were split.
public struct ChannelFigures: Sendable, Equatable {
    /// Each recorded image's per-channel values (`channels` of them), by image index.
    public private(set) var perImage: [Int: [Float]] = [:]

    /// No images yet.
    public init() {}

    /// Figures made of given parts, for decoding.
    init(perImage: [Int: [Float]]) {
        self.perImage = perImage
    }

    /// Records image `image`'s per-channel values (replacing any recorded before).
    public mutating func record(image: Int, values: UnsafeBufferPointer<Float>) {
        perImage[image] = Array(values)
    }

    /// Adds `other`'s images, which must all be absent here; otherwise throws
    /// `StatisticsError.duplicateImage` naming `tensor` and changes nothing.
    mutating func merge(_ other: ChannelFigures, tensor: String) throws {
        if let duplicate = firstSharedImage(with: other) {
            throw StatisticsError.duplicateImage(tensor: tensor, image: duplicate)
        }
        perImage.merge(other.perImage) { mine, _ in mine }
    }

    /// The lowest image index recorded in both, if any.
    func firstSharedImage(with other: ChannelFigures) -> Int? {
        other.perImage.keys.filter { perImage[$0] != nil }.min()
    }

    /// Per channel, the mean over images (FastBiasCorrection's mean of per-image means).
    public func mean() -> [Double] {
        combine(0, { $0 + $1 }) { sum, count in sum / Double(count) }
    }

    /// Per channel, the smallest value over images (a global minimum, NNCF's MINMAX).
    public func minimum() -> [Double] {
        combine(.infinity, { Swift.min($0, $1) }) { value, _ in value }
    }

    /// Per channel, the largest value over images (a global maximum, NNCF's MINMAX).
    public func maximum() -> [Double] {
        combine(-.infinity, { Swift.max($0, $1) }) { value, _ in value }
    }

    /// Folds each channel's finite values in ascending image order with `step` from
    /// `start`, then `finish`es the result with the count; a channel without any finite
    /// value gives 0. Empty without images.
    private func combine(_ start: Double, _ step: (Double, Double) -> Double, finish: (Double, Int) -> Double) -> [Double] {
        let images = perImage.keys.sorted()
        guard let first = images.first, let channels = perImage[first]?.count else { return [] }
        var folded = [Double](repeating: start, count: channels)
        var counts = [Int](repeating: 0, count: channels)
        for image in images {
            for (channel, value) in perImage[image]!.enumerated() where channel < channels && value.isFinite {
                folded[channel] = step(folded[channel], Double(value))
                counts[channel] += 1
            }
        }
        return zip(folded, counts).map { $1 > 0 ? finish($0, $1) : 0 }
    }
}
