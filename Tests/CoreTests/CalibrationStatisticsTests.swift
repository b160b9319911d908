import Testing

@testable import Core

/// The statistics of a whole model: merging, the versioned file format and its errors.
struct CalibrationStatisticsTests {
    static let digest = SHA256.hex(Array("model".utf8))
    static let names = ["conv1", "layer2/relu", "héad·loc"]

    static func values(tensor: Int, image: Int) -> [Float] {
        var generator = SeededGenerator(seed: UInt64(image), stream: "tensor \(tensor)")
        return (0..<(500 + 100 * tensor)).map { _ in
            let value = Float(generator.normal() * Double(tensor + 1))
            return tensor == 1 ? max(value, 0) : value
        }
    }

    static let meanNames = ["conv1", "head/matmul"]

    static func statistics(_ images: [Int]) -> CalibrationStatistics {
        var statistics = CalibrationStatistics(modelDigest: digest, tensorNames: names, channelNames: meanNames)
        for image in images {
            for tensor in names.indices {
                values(tensor: tensor, image: image).withUnsafeBufferPointer {
                    statistics.record(tensor: tensor, image: image, values: $0)
                }
            }
            for tensor in meanNames.indices {
                let means = (0..<(4 + tensor)).map { Float(image) * 0.25 - Float($0) + 0.125 * Float(tensor) }
                means.withUnsafeBufferPointer { statistics.recordChannelFigures(tensor, image: image, values: $0) }
            }
        }
        return statistics
    }

    /// A channel count of 2^32 - 1 made the decoder reserve 16 GB before reading a value;
    /// found by fuzzing (`scripts/fuzz.sh statistics`).
    @Test func aForgedChannelCountFailsAtTheEndOfTheData() {
        let bytes: [UInt8] = [
            0x43, 0x41, 0x4c, 0x49, 0x42, 0x53, 0x54, 0x41, 0x54, 0x53, 0x04, 0x00, 0x00, 0x00, 0x40, 0x00,
            0x00, 0x00, 0x30, 0x32, 0x34, 0x37, 0x35, 0x35, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x06, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x23, 0x00,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x32, 0x01, 0x00, 0x00,
            0x03, 0x00, 0x00, 0x37, 0x30, 0x35, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x43,
            0x5b, 0x00, 0x00, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x41, 0x4c,
            0x49, 0x41, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
            0x00, 0x00, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04,
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x35, 0xaf, 0x5f, 0x63, 0x64, 0x65, 0x66, 0x00, 0x00, 0xff,
            0xff, 0xff, 0xff, 0xff, 0x32, 0x00, 0x33, 0x34, 0x00, 0x35, 0x36, 0x37, 0x38, 0x39, 0x61, 0x29,
            0x63, 0x65, 0x5f, 0x00, 0x64, 0x66, 0x00, 0x00
        ]
        #expect {
            try CalibrationStatistics(decoding: bytes)
        } throws: { error in
            guard case .malformed(.truncated) = error as? StatisticsError else { return false }
            return String(describing: error).contains("channel values of")
        }
    }

    @Test func channelMeansAreMeansOverImagesOfPerImageMeans() throws {
        let statistics = Self.statistics([0, 2, 5])
        // Image i, channel c of tensor 0: i/4 - c; over images 0, 2, 5: 7/12 - c.
        let expected: [Double] = (0..<4).map { 7.0 / 12 - Double($0) }
        let found = statistics.channelFigures[0].mean()
        #expect(found.count == 4 && zip(found, expected).allSatisfy { abs($0 - $1) < 1e-12 }, "\(found)")
        var duplicate = Self.statistics([5])
        #expect(throws: StatisticsError.duplicateImage(tensor: "conv1", image: 5)) {
            try duplicate.merge(Self.statistics([5, 6]))
        }
        let other = CalibrationStatistics(modelDigest: Self.digest, tensorNames: Self.names, channelNames: ["other"])
        #expect(throws: StatisticsError.self) { try duplicate.merge(other) }
    }

    @Test func channelExtremesAreGlobalOverImages() throws {
        let figures = Self.statistics([0, 2, 5]).channelFigures[1]
        // Image i, channel c of figure 1: i/4 - c + 1/8; over images 0, 2, 5.
        #expect(figures.minimum() == (0..<5).map { 0.125 - Double($0) })
        #expect(figures.maximum() == (0..<5).map { 1.375 - Double($0) })
        #expect(ChannelFigures().minimum().isEmpty)
    }

    @Test func encodingRoundTrips() throws {
        let statistics = Self.statistics([3, 0, 11, 4])
        let bytes = statistics.encoded()
        #expect(bytes.starts(with: Array("CALIBSTATS".utf8)))
        let decoded = try CalibrationStatistics(decoding: bytes)
        #expect(decoded == statistics)
        #expect(decoded.encoded() == bytes)
        #expect(decoded.imageIndices == [0, 3, 4, 11])
        #expect(decoded.tensors[1].allMinimaNonNegative && !decoded.tensors[0].allMinimaNonNegative)
        let empty = CalibrationStatistics(modelDigest: Self.digest, tensorNames: [])
        #expect(try CalibrationStatistics(decoding: empty.encoded()) == empty)
    }

    @Test func anySplitAndOrderGivesTheSameBytes() throws {
        let images = Array(0..<12)
        let bytes = Self.statistics(images).encoded()
        var generator = SeededGenerator(seed: 11)
        for _ in 0..<4 {
            let shuffled = images.shuffled(using: &generator)
            // Three workers with uneven shares, results arriving in shuffled order.
            let cuts = [Int(generator.next() % 6), 6 + Int(generator.next() % 6)]
            var parts = [Array(shuffled[..<cuts[0]]), Array(shuffled[cuts[0]..<cuts[1]]), Array(shuffled[cuts[1]...])]
                .map(Self.statistics)
            parts.shuffle(using: &generator)
            var merged = parts[0]
            for part in parts.dropFirst() { try merged.merge(part) }
            #expect(merged.encoded() == bytes)
        }
    }

    /// Verified results merged as a batch (tensor by tensor) give the bytes of merging them
    /// one by one; a batch in which two results share an image is refused whole.
    @Test func aBatchOfVerifiedResultsMergesAsOneByOne() throws {
        let images = Array(0..<9)
        let bytes = Self.statistics(images).encoded()
        let results = try stride(from: 0, to: images.count, by: 2).map {
            try VerifiedStatistics(checking: Self.statistics(Array(images[$0..<min($0 + 2, images.count)])).encoded())
        }
        var batched = CalibrationStatistics(modelDigest: Self.digest, tensorNames: Self.names, channelNames: Self.meanNames)
        try batched.merge(Array(results[..<1]))
        try batched.merge(Array(results[1...]).reversed())
        #expect(batched.encoded() == bytes)

        var statistics = Self.statistics([0])
        let before = statistics
        let overlapping = try [Self.statistics([1, 2]), Self.statistics([3]), Self.statistics([2, 4])].map {
            try VerifiedStatistics(checking: $0.encoded())
        }
        #expect(throws: StatisticsError.duplicateImage(tensor: "conv1", image: 2)) { try statistics.merge(overlapping) }
        #expect(throws: StatisticsError.duplicateImage(tensor: "conv1", image: 0)) {
            try statistics.merge([try VerifiedStatistics(checking: Self.statistics([5, 0]).encoded())])
        }
        #expect(statistics == before)
    }

    @Test func mergeRefusesOtherModelsTensorsAndDuplicateImages() {
        var statistics = Self.statistics([0, 1])
        let before = statistics
        let otherModel = CalibrationStatistics(modelDigest: SHA256.hex([1]), tensorNames: Self.names)
        let otherTensors = CalibrationStatistics(modelDigest: Self.digest, tensorNames: Array(Self.names.dropLast()))
        #expect(throws: StatisticsError.self) { try statistics.merge(otherModel) }
        #expect(throws: StatisticsError.self) { try statistics.merge(otherTensors) }
        // Image 1 is only in the last tensor of the other statistics: still refused, nothing merged.
        var overlapping = Self.statistics([2])
        Self.values(tensor: 2, image: 1).withUnsafeBufferPointer { overlapping.record(tensor: 2, image: 1, values: $0) }
        #expect(throws: StatisticsError.duplicateImage(tensor: "héad·loc", image: 1)) { try statistics.merge(overlapping) }
        #expect(statistics == before)
    }

    @Test func fileErrorsAreReported() {
        let bytes = Self.statistics([0, 1]).encoded()
        var wrongMagic = bytes
        wrongMagic[0] = UInt8(ascii: "X")
        #expect(throws: StatisticsError.notStatisticsFile) { try CalibrationStatistics(decoding: wrongMagic) }
        #expect(throws: StatisticsError.notStatisticsFile) { try CalibrationStatistics(decoding: []) }
        var future = bytes
        future[10] = 5
        #expect(throws: StatisticsError.unsupportedVersion(found: 5, supported: 4)) {
            try CalibrationStatistics(decoding: future)
        }
        // Cut anywhere after the magic: a one-line truncation error, never a trap.
        for length in stride(from: 10, to: bytes.count, by: 97) + [bytes.count - 1] {
            do {
                _ = try CalibrationStatistics(decoding: Array(bytes[..<length]))
                Issue.record("a file cut at \(length) of \(bytes.count) bytes was read")
            } catch let error as StatisticsError {
                guard case .malformed(.truncated) = error else {
                    Issue.record("cut at \(length): \(error)")
                    continue
                }
                #expect(!error.description.contains("\n"))
            } catch {
                Issue.record("cut at \(length): \(error)")
            }
        }
        #expect(throws: StatisticsError.self) { try CalibrationStatistics(decoding: bytes + [0]) }
        let described = StatisticsError.malformed(.truncated(field: "tensor count", offset: 20, needed: 4, available: 1))
        #expect(described.description == "malformed statistics file: truncated data: tensor count at offset 20 needs 4 bytes, 1 left")
    }

    @Test func byteCodingRoundTripsAndRefusesOverlongIntegers() throws {
        var writer = ByteWriter()
        writer.write(UInt16(0xbeef))
        writer.write(Int64(-2))
        writer.write(Float(-1.5))
        writer.write(Double.pi)
        writer.write("ünïcode")
        writer.write(lengthPrefixed: [1, 2, 3])
        for value in [0, 127, 128, 300, UInt64.max] { writer.writeCompact(value) }
        #expect(writer.bytes.prefix(4) == [0xef, 0xbe, 0xfe, 0xff])
        var reader = ByteReader(writer.bytes)
        #expect(try reader.read(UInt16.self, "a") == 0xbeef)
        #expect(try reader.read(Int64.self, "b") == -2)
        #expect(try reader.readFloat("c") == -1.5)
        #expect(try reader.readDouble("d") == .pi)
        #expect(try reader.readString("e") == "ünïcode")
        #expect(try reader.readLengthPrefixed("f") == [1, 2, 3])
        for value in [0, 127, 128, 300, UInt64.max] { #expect(try reader.readCompact("g") == value) }
        #expect(reader.isAtEnd)
        var overlong = ByteReader([0x80, 0x00])
        #expect(throws: BinaryCodingError.invalid(field: "n", offset: 0, reason: "is encoded in more bytes than needed")) {
            try overlong.readCompact("n")
        }
        var tooLarge = ByteReader([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02])
        #expect(throws: BinaryCodingError.self) { try tooLarge.readCompact("n") }
        var notUTF8 = ByteReader([2, 0, 0, 0, 0xc3, 0x28])
        #expect(throws: BinaryCodingError.self) { try notUTF8.readString("s") }
    }
}
