/// Encoded statistics (`CalibrationStatistics.encoded()`) whose every byte was checked,
/// with their small parts decoded and where each histogram starts, so that a merge can
/// add the histograms straight from the encoding into running sums, never building the
/// dense histograms of one result.
///
/// Checking is the expensive half and touches no shared state, so the coordinator runs it
/// on any thread; merging (`CalibrationStatistics.merge(_:)`) then cannot fail on the
/// bytes.
public struct VerifiedStatistics: Sendable {
    /// SHA-256 (hex) of the model the statistics were collected on.
    public let modelDigest: String
    /// The tensors' names.
    public let tensorNames: [String]
    /// The per-channel figures' names.
    public let channelNames: [String]
    /// Per tensor, each image's extremes.
    let perImage: [[Int: ImageStatistics]]
    /// Per tensor, where its encoded histogram starts in `bytes`.
    let histogramOffsets: [Int]
    /// Per figure, each image's values.
    let channelFigures: [ChannelFigures]
    /// The encoding.
    let bytes: [UInt8]

    /// Checks `bytes` as `CalibrationStatistics(decoding:)` does.
    /// - Throws: `StatisticsError.notStatisticsFile`, `.unsupportedVersion` or `.malformed`
    ///   (truncation or invalid values, with the field and offset).
    public init(checking bytes: [UInt8]) throws {
        guard bytes.starts(with: CalibrationStatistics.magic) else { throw StatisticsError.notStatisticsFile }
        var reader = ByteReader(bytes)
        do {
            _ = try reader.read(raw: CalibrationStatistics.magic.count, "magic")
            let version = try reader.read(UInt32.self, "format version")
            guard version == CalibrationStatistics.formatVersion else {
                throw StatisticsError.unsupportedVersion(found: version, supported: CalibrationStatistics.formatVersion)
            }
            modelDigest = try reader.readString("model digest")
            tensorNames = try Self.readNames(from: &reader, of: "tensor")
            var perImage: [[Int: ImageStatistics]] = []
            var offsets: [Int] = []
            for name in tensorNames {
                perImage.append(try Self.readImageExtremes(of: name, from: &reader))
                offsets.append(reader.offset)
                try ActivationHistogram.skip(&reader)
            }
            self.perImage = perImage
            histogramOffsets = offsets
            channelNames = try Self.readNames(from: &reader, of: "per-channel figure")
            channelFigures = try channelNames.map { try Self.readChannelFigures(of: $0, from: &reader) }
            try reader.requireEnd()
        } catch let error as BinaryCodingError {
            throw StatisticsError.malformed(error)
        }
        self.bytes = bytes
    }

    /// Per tensor, its images' indices, ascending.
    public var tensorImages: [[Int]] { perImage.map { $0.keys.sorted() } }

    /// Per per-channel figure, its images' indices, ascending.
    public var channelImages: [[Int]] { channelFigures.map { $0.perImage.keys.sorted() } }

    /// Size of the encoding, bytes.
    public var encodedSize: Int { bytes.count }

    /// A reader at tensor `index`'s histogram.
    func histogramReader(ofTensor index: Int) -> ByteReader {
        ByteReader(bytes, at: histogramOffsets[index])
    }

    /// Reads what `CalibrationStatistics.write(names:into:)` wrote; `kind` names the list in errors.
    private static func readNames(from reader: inout ByteReader, of kind: String) throws -> [String] {
        let count = try reader.read(UInt32.self, "\(kind) count")
        var names = [String]()
        for index in 0..<count {
            names.append(try reader.readString("name of \(kind) \(index)"))
        }
        return names
    }

    /// A tensor's per-image extremes: a `UInt32` count, then index, minimum and maximum,
    /// indices ascending.
    private static func readImageExtremes(of name: String, from reader: inout ByteReader) throws -> [Int: ImageStatistics] {
        let imageCount = try reader.read(UInt32.self, "image count of \(name)")
        let field = "image index in \(name)"
        var perImage = [Int: ImageStatistics]()
        var previous: Int64?
        for _ in 0..<imageCount {
            let offset = reader.offset
            let image = try reader.read(Int64.self, field)
            let minimum = try reader.readFloat("image minimum in \(name)")
            let maximum = try reader.readFloat("image maximum in \(name)")
            guard previous.map({ image > $0 }) ?? true, let index = Int(exactly: image) else {
                throw BinaryCodingError.invalid(field: field, offset: offset, reason: "\(image) is not above the one before")
            }
            let figures = ImageStatistics(minimum: minimum, maximum: maximum)
            guard (figures.hasValues && minimum.isFinite && maximum.isFinite) || figures == .empty else {
                throw BinaryCodingError.invalid(
                    field: "image \(image) of \(name)", offset: offset + 8, reason: "has minimum \(minimum) and maximum \(maximum)")
            }
            previous = image
            perImage[index] = figures
        }
        return perImage
    }

    /// A per-channel figure: a `UInt32` image count, then per image its index, channel
    /// count and values, indices ascending.
    private static func readChannelFigures(of name: String, from reader: inout ByteReader) throws -> ChannelFigures {
        let imageCount = try reader.read(UInt32.self, "image count of \(name)")
        let field = "image index in \(name)"
        var perImage = [Int: [Float]]()
        var previous: Int64?
        for _ in 0..<imageCount {
            let offset = reader.offset
            let image = try reader.read(Int64.self, field)
            guard previous.map({ image > $0 }) ?? true, let index = Int(exactly: image) else {
                throw BinaryCodingError.invalid(field: field, offset: offset, reason: "\(image) is not above the one before")
            }
            previous = image
            let channels = Int(try reader.read(UInt32.self, "channel count of \(name)"))
            // Checked against the bytes there before anything is allocated: a forged count
            // fails here instead of reserving for it (found by fuzzing: 16 GB for 2^32 channels).
            perImage[index] = try reader.consume { bytes, offset in
                guard channels <= bytes.count / 4 else {
                    throw BinaryCodingError.truncated(
                        field: "channel values of \(name)", offset: offset, needed: channels * 4, available: bytes.count)
                }
                let raw = UnsafeRawBufferPointer(bytes)
                let values = (0..<channels).map {
                    Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 4, as: UInt32.self)))
                }
                return (values, channels * 4)
            }
        }
        return ChannelFigures(perImage: perImage)
    }
}
