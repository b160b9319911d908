/// The per-channel means of one tensor, image by image: what FastBiasCorrection needs
/// (domain.md §7: the mean over images of per-image per-channel means). Kept by image
/// index, like the other statistics, so merging is exact and the mean over images is
/// summed in ascending index order, bit-identical however the images were split.
public struct ChannelMeans: Sendable, Equatable {
    /// Each recorded image's per-channel means (`channels` values), by image index.
    public private(set) var perImage: [Int: [Float]] = [:]

    /// No images yet.
    public init() {}

    /// Means made of given parts, for decoding.
    init(perImage: [Int: [Float]]) {
        self.perImage = perImage
    }

    /// Records image `image`'s per-channel means (replacing any recorded before).
    public mutating func record(image: Int, means: UnsafeBufferPointer<Float>) {
        perImage[image] = Array(means)
    }

    /// Adds `other`'s images, which must all be absent here; otherwise throws
    /// `StatisticsError.duplicateImage` naming `tensor` and changes nothing.
    mutating func merge(_ other: ChannelMeans, tensor: String) throws {
        if let duplicate = firstSharedImage(with: other) {
            throw StatisticsError.duplicateImage(tensor: tensor, image: duplicate)
        }
        perImage.merge(other.perImage) { mine, _ in mine }
    }

    /// The lowest image index recorded in both, if any.
    func firstSharedImage(with other: ChannelMeans) -> Int? {
        other.perImage.keys.filter { perImage[$0] != nil }.min()
    }

    /// The mean over images of each channel's mean, NaN and infinities left out (a
    /// channel without any finite mean gives 0); empty without images.
    public func mean() -> [Double] {
        let images = perImage.keys.sorted()
        guard let first = images.first, let channels = perImage[first]?.count else { return [] }
        var sums = [Double](repeating: 0, count: channels)
        var counts = [Int](repeating: 0, count: channels)
        for image in images {
            for (channel, value) in perImage[image]!.enumerated() where channel < channels && value.isFinite {
                sums[channel] += Double(value)
                counts[channel] += 1
            }
        }
        return zip(sums, counts).map { $1 > 0 ? $0 / Double($1) : 0 }
    }
}
