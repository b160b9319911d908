/// Everything the range pickers need about one activation tensor over the calibration
/// set: each image's minimum and maximum (for POT's means of per-image extremes) and the
/// histogram of all values (for quantile, entropy and MSE ranges). Per-image figures are
/// keyed by the image's index in the calibration set, so merging is exact and every
/// aggregate is the same whichever worker saw which image.
public struct TensorStatistics: Sendable, Equatable {
    /// Minimum and maximum of each recorded image, by index in the calibration set.
    public private(set) var perImage: [Int: ImageStatistics] = [:]
    /// The values of all recorded images.
    public private(set) var histogram = ActivationHistogram()

    /// No images yet.
    public init() {}

    /// Statistics made of given parts, for decoding.
    init(perImage: [Int: ImageStatistics], histogram: ActivationHistogram) {
        self.perImage = perImage
        self.histogram = histogram
    }

    /// Records the tensor's values for image `image`: its extremes and its histogram.
    /// Values recorded for an image already present add to it (extremes combine), so a
    /// tensor can be recorded in parts. An image without any number (empty or all NaN)
    /// counts with minimum and maximum 0, so one broken image cannot make the means infinite
    /// or NaN; its NaNs still show in `histogram.nanCount`.
    public mutating func record(image: Int, values: UnsafeBufferPointer<Float>) {
        let extremes = histogram.accumulate(values)
        let recorded = perImage[image]
        switch (recorded, extremes) {
        case let (recorded?, extremes?):
            perImage[image] = ImageStatistics(
                minimum: min(recorded.minimum, extremes.minimum), maximum: max(recorded.maximum, extremes.maximum))
        case let (nil, extremes?):
            perImage[image] = ImageStatistics(minimum: extremes.minimum, maximum: extremes.maximum)
        case (nil, nil):
            perImage[image] = ImageStatistics(minimum: 0, maximum: 0)
        case (_?, nil):
            break
        }
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
    public var allMinimaNonNegative: Bool { perImage.values.allSatisfy { $0.minimum >= 0 } }

    /// The mean over images of each image's largest magnitude: POT's symmetric `high`.
    public func meanOfAbsoluteMaxima() -> Double { mean(of: \.absoluteMaximum) }

    /// The mean over images of each image's minimum.
    public func meanOfMinima() -> Double { mean(of: \.minimum) }

    /// The mean over images of each image's maximum.
    public func meanOfMaxima() -> Double { mean(of: \.maximum) }

    /// The mean of one per-image figure, summed in Double in ascending image order so that
    /// it is bit-identical however the images were split and merged; 0 without images.
    private func mean(of figure: KeyPath<ImageStatistics, Float>) -> Double {
        guard !perImage.isEmpty else { return 0 }
        let sum = perImage.keys.sorted().reduce(0.0) { $0 + Double(perImage[$1]![keyPath: figure]) }
        return sum / Double(perImage.count)
    }
}
