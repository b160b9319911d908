/// The statistics of every planned activation tensor of one model over some calibration
/// images: what a worker returns, what the coordinator merges, and what a statistics file
/// holds, so ranges can be picked again with another method without running inference.
/// Merging is exact and the encoding canonical: the same images give the same bytes
/// whatever their split across workers and the order results arrived in.
public struct CalibrationStatistics: Sendable, Equatable {
    /// SHA-256 (hex) of the model the statistics were collected on.
    public let modelDigest: String
    /// The tensors' names, in the order of `tensors`.
    public let tensorNames: [String]
    /// One entry per name of `tensorNames`, in the same order.
    public private(set) var tensors: [TensorStatistics]
    /// The names of the per-channel figures kept (`ChannelReduction.name`: FastBiasCorrection's
    /// means, the extremes of per-channel activations), in the order of `channelFigures`.
    public let channelNames: [String]
    /// One entry per name of `channelNames`.
    public private(set) var channelFigures: [ChannelFigures]

    /// The first bytes of a statistics file.
    public static let magic = Array("CALIBSTATS".utf8)
    /// The version of the file form written by `encoded()`.
    public static let formatVersion: UInt32 = 4

    /// Empty statistics of the tensors `tensorNames`, and the per-channel figures
    /// `channelNames`, of the model with digest `modelDigest`.
    public init(modelDigest: String, tensorNames: [String], channelNames: [String] = []) {
        self.modelDigest = modelDigest
        self.tensorNames = tensorNames
        tensors = Array(repeating: TensorStatistics(), count: tensorNames.count)
        self.channelNames = channelNames
        channelFigures = Array(repeating: ChannelFigures(), count: channelNames.count)
    }

    /// Records tensor number `tensor`'s values for image `image`, binned in `counters`
    /// (left zero again).
    public mutating func record(tensor: Int, image: Int, values: UnsafeBufferPointer<Float>, counters: inout HistogramCounters) {
        tensors[tensor].record(image: image, values: values, counters: &counters)
    }

    /// `record(tensor:image:values:counters:)` with counters of its own (4 MiB per call).
    public mutating func record(tensor: Int, image: Int, values: UnsafeBufferPointer<Float>) {
        tensors[tensor].record(image: image, values: values)
    }

    /// Records the finite extremes of tensor `tensor` (index into `tensorNames`) for image
    /// `image`, reduced elsewhere: see `TensorStatistics.record(image:minimum:maximum:)`.
    public mutating func record(tensor: Int, image: Int, minimum: Float, maximum: Float) {
        tensors[tensor].record(image: image, minimum: minimum, maximum: maximum)
    }

    /// Records per-channel figure number `figure` (of `channelNames`) for image `image`.
    public mutating func recordChannelFigures(_ figure: Int, image: Int, values: UnsafeBufferPointer<Float>) {
        channelFigures[figure].record(image: image, values: values)
    }

    /// The per-channel figures named `name`, if kept.
    public func channelFigures(named name: String) -> ChannelFigures? {
        channelNames.firstIndex(of: name).map { channelFigures[$0] }
    }

    /// Adds `other`'s images. Both must describe the same model and tensors, and share no
    /// image in any tensor; otherwise this throws and nothing changes.
    public mutating func merge(_ other: CalibrationStatistics) throws {
        try requireSameModel(digest: other.modelDigest, tensorNames: other.tensorNames, channelNames: other.channelNames)
        for (index, name) in tensorNames.enumerated() {
            if let duplicate = tensors[index].firstSharedImage(with: other.tensors[index]) {
                throw StatisticsError.duplicateImage(tensor: name, image: duplicate)
            }
        }
        for (index, name) in channelNames.enumerated() {
            if let duplicate = channelFigures[index].firstSharedImage(with: other.channelFigures[index]) {
                throw StatisticsError.duplicateImage(tensor: name, image: duplicate)
            }
        }
        for (index, name) in tensorNames.enumerated() {
            try tensors[index].merge(other.tensors[index], tensor: name)
        }
        for (index, name) in channelNames.enumerated() {
            try channelFigures[index].merge(other.channelFigures[index], tensor: name)
        }
    }

    /// The tensors that had NaN or infinite values (left out of every statistic), with
    /// how many of each, in tensor order.
    public var nonFiniteCounts: [(tensor: String, nan: UInt64, infinite: UInt64)] {
        zip(tensorNames, tensors).compactMap { name, tensor in
            let histogram = tensor.histogram
            return histogram.nanCount + histogram.infinityCount > 0 ? (name, histogram.nanCount, histogram.infinityCount) : nil
        }
    }

    /// The indices of all images recorded in any tensor, ascending.
    public var imageIndices: [Int] {
        tensors.reduce(into: Set<Int>()) { $0.formUnion($1.perImage.keys) }.sorted()
    }

    // MARK: - File format

    /// The canonical file form, format version 4: the magic `CALIBSTATS`, the version
    /// (`UInt32`), the model digest and the tensor names (length-prefixed UTF-8, behind a
    /// `UInt32` count), then per tensor its image count (`UInt32`), each image's index
    /// (`Int64`), minimum and maximum (`Float`; +inf and -inf for an image without a finite
    /// value) in ascending index order, and its histogram
    /// (`ActivationHistogram.encode(into:)`); then the per-channel figure names (as the
    /// tensor names), and per figure its image count (`UInt32`) and, in ascending index
    /// order, each image's index (`Int64`), channel count (`UInt32`) and values (`Float`).
    /// Integers are little-endian.
    public func encoded() -> [UInt8] {
        var writer = ByteWriter()
        writer.write(raw: Self.magic)
        writer.write(Self.formatVersion)
        writer.write(modelDigest)
        Self.write(names: tensorNames, into: &writer)
        for tensor in tensors {
            writer.write(UInt32(tensor.perImage.count))
            for image in tensor.perImage.keys.sorted() {
                let figures = tensor.perImage[image]!
                writer.write(Int64(image))
                writer.write(figures.minimum)
                writer.write(figures.maximum)
            }
            tensor.histogram.encode(into: &writer)
        }
        Self.write(names: channelNames, into: &writer)
        for figures in channelFigures {
            writer.write(UInt32(figures.perImage.count))
            for image in figures.perImage.keys.sorted() {
                let values = figures.perImage[image]!
                writer.write(Int64(image))
                writer.write(UInt32(values.count))
                for value in values { writer.write(value) }
            }
        }
        return writer.bytes
    }

    /// Reads what `encoded()` wrote. Throws `StatisticsError.notStatisticsFile`,
    /// `.unsupportedVersion` or `.malformed` (truncation or invalid values, with the field
    /// and offset).
    public init(decoding bytes: [UInt8]) throws {
        let verified = try VerifiedStatistics(checking: bytes)
        self.init(modelDigest: verified.modelDigest, tensorNames: verified.tensorNames, channelNames: verified.channelNames)
        try merge(verified)
    }

    /// Adds the images of `verified`, histograms straight from their encoding. Both must
    /// describe the same model and tensors, and share no image in any tensor; otherwise
    /// this throws `StatisticsError` and nothing changes.
    public mutating func merge(_ verified: VerifiedStatistics) throws {
        try merge([verified])
    }

    /// Adds the images of every result of `batch`, as merging them one after the other
    /// would, but tensor by tensor: one tensor's running histogram (up to a few hundred
    /// kB) stays in the CPU's cache while each result's counts are added to it, where
    /// result by result every tensor's sums (tens of MB for the 1200x1200 model) are
    /// brought in again for each result. All must describe this model and tensors, and no
    /// image may be in two of them or here already; otherwise this throws
    /// `StatisticsError` (naming the lowest such image) and nothing changes.
    public mutating func merge(_ batch: [VerifiedStatistics]) throws {
        for verified in batch {
            try requireSameModel(digest: verified.modelDigest, tensorNames: verified.tensorNames, channelNames: verified.channelNames)
        }
        for (index, name) in tensorNames.enumerated() {
            if let duplicate = Self.firstImageTwice(in: batch.map { Array($0.perImage[index].keys) }, here: { tensors[index].perImage[$0] != nil }) {
                throw StatisticsError.duplicateImage(tensor: name, image: duplicate)
            }
        }
        for (index, name) in channelNames.enumerated() {
            if let duplicate = Self.firstImageTwice(in: batch.map { Array($0.channelFigures[index].perImage.keys) }, here: { channelFigures[index].perImage[$0] != nil }) {
                throw StatisticsError.duplicateImage(tensor: name, image: duplicate)
            }
        }
        for index in tensorNames.indices {
            for verified in batch {
                var reader = verified.histogramReader(ofTensor: index)
                do {
                    try tensors[index].add(perImage: verified.perImage[index], encodedHistogram: &reader)
                } catch let error as BinaryCodingError {
                    throw StatisticsError.malformed(error)
                }
            }
        }
        for (index, name) in channelNames.enumerated() {
            for verified in batch {
                try channelFigures[index].merge(verified.channelFigures[index], tensor: name)
            }
        }
    }

    /// The lowest image that is in two of `images` or for which `here` is true, if any.
    private static func firstImageTwice(in images: [[Int]], here: (Int) -> Bool) -> Int? {
        var seen = Set<Int>()
        var lowest: Int?
        for image in images.joined() where !seen.insert(image).inserted || here(image) {
            lowest = min(lowest ?? image, image)
        }
        return lowest
    }

    /// Throws unless the other statistics are of this model, tensors and figures.
    private func requireSameModel(digest: String, tensorNames: [String], channelNames: [String]) throws {
        guard digest == modelDigest else {
            throw StatisticsError.mismatch("model \(digest.prefix(12)) is not \(modelDigest.prefix(12))")
        }
        guard tensorNames == self.tensorNames, channelNames == self.channelNames else {
            throw StatisticsError.mismatch(
                "the \(tensorNames.count) tensors of one are not the \(self.tensorNames.count) tensors of the other")
        }
    }

    /// A name list: its `UInt32` count, then each name.
    private static func write(names: [String], into writer: inout ByteWriter) {
        writer.write(UInt32(names.count))
        for name in names { writer.write(name) }
    }
}
