/// Everything the range pickers need about one activation tensor over the calibration
/// set: each image's minimum and maximum (for POT's means of per-image extremes and the
/// min-max range) and the histogram of all values (for quantile, entropy and MSE ranges;
/// with `StatisticsCollection.extremes` it holds only the images that had a NaN or an
/// infinity, so that those are counted). Per-image figures are
/// keyed by the image's index in the calibration set, so merging is exact and every
/// aggregate is the same whichever worker saw which image.
public struct TensorStatistics: Sendable, Equatable {
    /// Minimum and maximum of each recorded image, by index in the calibration set.
    public private(set) var perImage: [Int: ImageStatistics] = [:]
    /// The values of all recorded images.
    public private(set) var histogram = ActivationHistogram()

    /// No images yet.
    public init() {}

    /// Adds images none of which is here yet (the caller checked): their extremes,
    /// and their histogram straight from its encoding (checked by `VerifiedStatistics`).
    mutating func add(perImage other: [Int: ImageStatistics], encodedHistogram reader: inout ByteReader) throws {
        perImage.merge(other) { mine, _ in mine }
        try histogram.add(encoded: &reader)
    }

    /// Records the tensor's values for image `image`: its extremes and its histogram.
    /// Values recorded for an image already present add to it (extremes combine), so a
    /// tensor can be recorded in parts. NaN and infinities take part in nothing but the
    /// histogram's `nanCount` and `infinityCount`; an image without any finite value is
    /// kept as `ImageStatistics.empty` and left out of every mean.
    /// Bins in `counters` (left zero again).
    public mutating func record(image: Int, values: UnsafeBufferPointer<Float>, counters: inout HistogramCounters) {
        let figures = histogram.accumulate(values, counters: &counters).map { ImageStatistics(minimum: $0.minimum, maximum: $0.maximum) } ?? .empty
        perImage[image] = perImage[image]?.combined(with: figures) ?? figures
    }

    /// `record(image:values:counters:)` with counters of its own (4 MiB per call).
    public mutating func record(image: Int, values: UnsafeBufferPointer<Float>) {
        var counters = HistogramCounters()
        record(image: image, values: values, counters: &counters)
    }

    /// Records image `image`'s finite extremes, reduced elsewhere (inside the graph, for
    /// `StatisticsCollection.extremes`), without its histogram; a zero extreme is kept as
    /// +0, as `record(image:values:)` keeps it. Combines with extremes already recorded for
    /// the image.
    public mutating func record(image: Int, minimum: Float, maximum: Float) {
        precondition(minimum.isFinite && maximum.isFinite && minimum <= maximum, "extremes \(minimum)...\(maximum) are not finite and ordered")
        let figures = ImageStatistics(minimum: minimum == 0 ? 0 : minimum, maximum: maximum == 0 ? 0 : maximum)
        perImage[image] = perImage[image]?.combined(with: figures) ?? figures
    }

    /// Adds `other`'s images, which must all be absent here; otherwise throws
    /// `StatisticsError.duplicateImage` (for the lowest such image) and changes nothing.
    public mutating func merge(_ other: TensorStatistics) throws {
        try merge(other, tensor: nil)
    }

    /// `merge(_:)`, naming the tensor in the error.
    mutating func merge(_ other: TensorStatistics, tensor: String?) throws {
        if let duplicate = firstSharedImage(with: other) {
            throw StatisticsError.duplicateImage(tensor: tensor, image: duplicate)
        }
        perImage.merge(other.perImage) { mine, _ in mine }
        histogram.merge(other.histogram)
    }

    /// The lowest image index recorded in both, if any.
    func firstSharedImage(with other: TensorStatistics) -> Int? {
        let (smaller, larger) = perImage.count <= other.perImage.count ? (perImage, other.perImage) : (other.perImage, perImage)
        return smaller.keys.filter { larger[$0] != nil }.min()
    }

    /// The number of images recorded.
    public var imageCount: Int { perImage.count }

    /// True when no image has a negative value: POT then quantizes the tensor unsigned.
    public var allMinimaNonNegative: Bool { perImage.values.allSatisfy { !$0.hasValues || $0.minimum >= 0 } }

    /// True when some image had a finite value: only then can a range be picked.
    public var hasFiniteValues: Bool { perImage.values.contains { $0.hasValues } }

    /// The smallest finite value of all images (zero as +0), or nil when there is none.
    public var minimum: Double? { perImage.values.filter(\.hasValues).map(\.minimum).min().map(Double.init) }

    /// The largest finite value of all images (zero as +0), or nil when there is none.
    public var maximum: Double? { perImage.values.filter(\.hasValues).map(\.maximum).max().map(Double.init) }

    /// The mean over images of each image's largest magnitude: POT's symmetric `high`.
    public func meanOfAbsoluteMaxima() -> Double { mean(of: \.absoluteMaximum) }

    /// The mean over images of each image's minimum.
    public func meanOfMinima() -> Double { mean(of: \.minimum) }

    /// The mean over images of each image's maximum.
    public func meanOfMaxima() -> Double { mean(of: \.maximum) }

    /// The mean of one per-image figure over the images with a finite value, summed in
    /// Double in ascending image order so that it is bit-identical however the images were
    /// split and merged; 0 without such images.
    private func mean(of figure: KeyPath<ImageStatistics, Float>) -> Double {
        let images = perImage.keys.sorted().compactMap { perImage[$0]!.hasValues ? perImage[$0]! : nil }
        guard !images.isEmpty else { return 0 }
        return images.reduce(0.0) { $0 + Double($1[keyPath: figure]) } / Double(images.count)
    }
}
