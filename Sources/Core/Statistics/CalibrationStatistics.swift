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

    /// Records tensor number `tensor`'s values for image `image`.
    public mutating func record(tensor: Int, image: Int, values: UnsafeBufferPointer<Float>) {
        tensors[tensor].record(image: image, values: values)
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
        guard other.modelDigest == modelDigest else {
            throw StatisticsError.mismatch("model \(other.modelDigest.prefix(12)) is not \(modelDigest.prefix(12))")
        }
        guard other.tensorNames == tensorNames, other.channelNames == channelNames else {
            throw StatisticsError.mismatch(
                "the \(other.tensorNames.count) tensors of one are not the \(tensorNames.count) tensors of the other")
        }
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
        guard bytes.starts(with: Self.magic) else { throw StatisticsError.notStatisticsFile }
        var reader = ByteReader(bytes)
        do {
            _ = try reader.read(raw: Self.magic.count, "magic")
            let version = try reader.read(UInt32.self, "format version")
            guard version == Self.formatVersion else {
                throw StatisticsError.unsupportedVersion(found: version, supported: Self.formatVersion)
            }
            modelDigest = try reader.readString("model digest")
            let names = try Self.readNames(from: &reader, of: "tensor")
            tensorNames = names
            tensors = []
            for name in names {
                tensors.append(try Self.decodeTensor(named: name, from: &reader))
            }
            let figureNames = try Self.readNames(from: &reader, of: "per-channel figure")
            channelNames = figureNames
            channelFigures = []
            for name in figureNames {
                channelFigures.append(try Self.decodeChannelFigures(named: name, from: &reader))
            }
            try reader.requireEnd()
        } catch let error as BinaryCodingError {
            throw StatisticsError.malformed(error)
        }
    }

    /// A name list: its `UInt32` count, then each name.
    private static func write(names: [String], into writer: inout ByteWriter) {
        writer.write(UInt32(names.count))
        for name in names { writer.write(name) }
    }

    /// Reads what `write(names:into:)` wrote; `kind` names the list in errors.
    private static func readNames(from reader: inout ByteReader, of kind: String) throws -> [String] {
        let count = try reader.read(UInt32.self, "\(kind) count")
        var names = [String]()
        for index in 0..<count {
            names.append(try reader.readString("name of \(kind) \(index)"))
        }
        return names
    }

    private static func decodeChannelFigures(named name: String, from reader: inout ByteReader) throws -> ChannelFigures {
        let imageCount = try reader.read(UInt32.self, "image count of \(name)")
        var perImage = [Int: [Float]]()
        var previous: Int64?
        for _ in 0..<imageCount {
            let offset = reader.offset
            let image = try reader.read(Int64.self, "image index in \(name)")
            guard previous.map({ image > $0 }) ?? true, let index = Int(exactly: image) else {
                throw BinaryCodingError.invalid(
                    field: "image index in \(name)", offset: offset, reason: "\(image) is not above the one before")
            }
            previous = image
            let channels = try reader.read(UInt32.self, "channel count of \(name)")
            // Appended one by one, never reserved: a forged count fails at the end of the
            // data instead of allocating for it (found by fuzzing: 16 GB for 2^32 channels).
            var values = [Float]()
            for _ in 0..<channels {
                values.append(try reader.readFloat("a channel value of \(name)"))
            }
            perImage[index] = values
        }
        return ChannelFigures(perImage: perImage)
    }

    private static func decodeTensor(named name: String, from reader: inout ByteReader) throws -> TensorStatistics {
        let imageCount = try reader.read(UInt32.self, "image count of \(name)")
        var perImage = [Int: ImageStatistics]()
        var previous: Int64?
        for _ in 0..<imageCount {
            let offset = reader.offset
            let image = try reader.read(Int64.self, "image index in \(name)")
            let minimum = try reader.readFloat("image minimum in \(name)")
            let maximum = try reader.readFloat("image maximum in \(name)")
            guard previous.map({ image > $0 }) ?? true, let index = Int(exactly: image) else {
                throw BinaryCodingError.invalid(
                    field: "image index in \(name)", offset: offset, reason: "\(image) is not above the one before")
            }
            let figures = ImageStatistics(minimum: minimum, maximum: maximum)
            guard (figures.hasValues && minimum.isFinite && maximum.isFinite) || figures == .empty else {
                throw BinaryCodingError.invalid(
                    field: "image \(image) of \(name)", offset: offset + 8,
                    reason: "has minimum \(minimum) and maximum \(maximum)")
            }
            previous = image
            perImage[index] = figures
        }
        return TensorStatistics(perImage: perImage, histogram: try ActivationHistogram(decoding: &reader))
    }
}
