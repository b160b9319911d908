import Core
import Testing
import Worker

/// Each reader reproduces its reference library's pixels. Every expected value below was
/// measured once, on exactly the bytes the test decodes, with Pillow 13.0.0
/// (`np.asarray(Image.open(f).convert("RGB"))`) and OpenCV 5.0.0 from
/// opencv-python-headless (`cv2.imread(f, cv2.IMREAD_COLOR)`, BGR turned to RGB).
struct ImageReaderTests {
    typealias Entry = ExifBuilder.Entry

    /// Decodes `bytes` with `reader` and returns (width, height, pixels).
    func decode(_ bytes: [UInt8], _ reader: ImageReader) throws -> (Int, Int, [UInt8]) {
        let image = try ImageDecoder.decode(bytes, name: "test", reader: reader)
        return (image.width, image.height, image.pixels)
    }

    /// Grey values spread over R, G and B.
    func grey(_ values: [UInt8]) -> [UInt8] { values.flatMap { [$0, $0, $0] } }

    // MARK: PNG

    @Test(arguments: ImageReader.allCases)
    func gammaIsNotApplied(reader: ImageReader) throws {
        // gAMA 1.0: libpng's simplified API turned (128, 64, 32) into (186, 136, 99).
        let linear = PNGBuilder.png(
            width: 2, height: 1, bitDepth: 8, colourType: 2, rows: [[128, 64, 32, 250, 5, 77]],
            before: [("gAMA", PNGBuilder.bigEndian(100_000))])
        #expect(try decode(linear, reader) == (2, 1, [128, 64, 32, 250, 5, 77]))
        let sRGB = PNGBuilder.png(
            width: 1, height: 1, bitDepth: 8, colourType: 2, rows: [[128, 64, 32]],
            before: [("gAMA", PNGBuilder.bigEndian(45455)), ("sRGB", [0])])
        #expect(try decode(sRGB, reader) == (1, 1, [128, 64, 32]))
    }

    @Test(arguments: ImageReader.allCases)
    func sixteenBitColourKeepsTheHighByte(reader: ImageReader) throws {
        let rgb = PNGBuilder.png(
            width: 2, height: 2, bitDepth: 16, colourType: 2,
            rows: [
                PNGBuilder.samples16([0x12FF, 0x8080, 0x00FF, 0xFFFF, 0x0100, 0x7F80]),
                PNGBuilder.samples16([0x0000, 0x00C8, 0x012C, 0xFE01, 0x80FF, 0x0001]),
            ])
        #expect(try decode(rgb, reader) == (2, 2, [18, 128, 0, 255, 1, 127, 0, 0, 1, 254, 128, 0]))
        let rgba = PNGBuilder.png(
            width: 1, height: 1, bitDepth: 16, colourType: 6, rows: [PNGBuilder.samples16([0x12FF, 0x00C8, 0xFFFF, 0])])
        #expect(try decode(rgba, reader) == (1, 1, [18, 0, 255]))
        let greyAlpha = PNGBuilder.png(
            width: 2, height: 1, bitDepth: 16, colourType: 4,
            rows: [PNGBuilder.samples16([0x12FF, 0x0000, 0x00C8, 0xFFFF])])
        #expect(try decode(greyAlpha, reader) == (2, 1, grey([18, 0])))
    }

    @Test func sixteenBitGreyIsClippedByPillowAndShiftedByOpenCV() throws {
        let file = PNGBuilder.png(
            width: 3, height: 2, bitDepth: 16, colourType: 0,
            rows: [PNGBuilder.samples16([0, 200, 255]), PNGBuilder.samples16([256, 300, 0xFFFF])])
        #expect(try decode(file, .pillow) == (3, 2, grey([0, 200, 255, 255, 255, 255])))
        #expect(try decode(file, .opencv) == (3, 2, grey([0, 0, 0, 1, 1, 255])))
    }

    @Test(arguments: ImageReader.allCases)
    func palettesAreExpandedAndTransparencyDropped(reader: ImageReader) throws {
        let withTRNS = PNGBuilder.png(
            width: 4, height: 1, bitDepth: 8, colourType: 3, rows: [[2, 1, 0, 2]],
            before: [("PLTE", [255, 0, 0, 0, 200, 0, 7, 8, 9]), ("tRNS", [0, 128])])
        #expect(try decode(withTRNS, reader) == (4, 1, [7, 8, 9, 0, 200, 0, 255, 0, 0, 7, 8, 9]))
        let fourBit = PNGBuilder.png(
            width: 3, height: 1, bitDepth: 4, colourType: 3, rows: [[0x21, 0x00]],
            before: [("PLTE", [10, 20, 30, 40, 50, 60, 70, 80, 90])])
        #expect(try decode(fourBit, reader) == (3, 1, [70, 80, 90, 40, 50, 60, 10, 20, 30]))
    }

    @Test(arguments: ImageReader.allCases)
    func alphaAndTransparentColoursAreDroppedWithoutCompositing(reader: ImageReader) throws {
        let greyAlpha = PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colourType: 4, rows: [[90, 0, 200, 255]])
        #expect(try decode(greyAlpha, reader) == (2, 1, grey([90, 200])))
        let rgba = PNGBuilder.png(width: 2, height: 1, bitDepth: 8, colourType: 6, rows: [[10, 20, 30, 0, 40, 50, 60, 128]])
        #expect(try decode(rgba, reader) == (2, 1, [10, 20, 30, 40, 50, 60]))
        let greyKey = PNGBuilder.png(
            width: 2, height: 1, bitDepth: 8, colourType: 0, rows: [[90, 200]], before: [("tRNS", [0, 90])])
        #expect(try decode(greyKey, reader) == (2, 1, grey([90, 200])))
        let rgbKey = PNGBuilder.png(
            width: 2, height: 1, bitDepth: 8, colourType: 2, rows: [[1, 2, 3, 4, 5, 6]],
            before: [("tRNS", [0, 1, 0, 2, 0, 3]), ("bKGD", [0, 255, 0, 255, 0, 255])])
        #expect(try decode(rgbKey, reader) == (2, 1, [1, 2, 3, 4, 5, 6]))
    }

    @Test(arguments: ImageReader.allCases)
    func lowBitGreyIsScaledToFullRange(reader: ImageReader) throws {
        let one = PNGBuilder.png(width: 8, height: 1, bitDepth: 1, colourType: 0, rows: [[0b1011_0010]])
        #expect(try decode(one, reader) == (8, 1, grey([255, 0, 255, 255, 0, 0, 255, 0])))
        let two = PNGBuilder.png(width: 4, height: 1, bitDepth: 2, colourType: 0, rows: [[0b0001_1011]])
        #expect(try decode(two, reader) == (4, 1, grey([0, 85, 170, 255])))
        let four = PNGBuilder.png(width: 2, height: 1, bitDepth: 4, colourType: 0, rows: [[0x3C]])
        #expect(try decode(four, reader) == (2, 1, grey([51, 204])))
        let eight = PNGBuilder.png(width: 3, height: 1, bitDepth: 8, colourType: 0, rows: [[0, 128, 255]])
        #expect(try decode(eight, reader) == (3, 1, grey([0, 128, 255])))
    }

    @Test func pngExifOrientationIsAppliedByOpenCVOnly() throws {
        let rows: [[UInt8]] = [Array(10...18), Array(100...108)]
        let exif = ExifBuilder.tiff(bigEndian: true, [.orientation(6)])
        let turned: [UInt8] = [100, 101, 102, 10, 11, 12, 103, 104, 105, 13, 14, 15, 106, 107, 108, 16, 17, 18]
        // OpenCV finds eXIf before and after the image data alike.
        for (before, after) in [([("eXIf", exif)], []), ([], [("eXIf", exif)])] {
            let file = PNGBuilder.png(width: 3, height: 2, bitDepth: 8, colourType: 2, rows: rows, before: before, after: after)
            #expect(try decode(file, .pillow) == (3, 2, rows.flatMap { $0 }))
            #expect(try decode(file, .opencv) == (2, 3, turned))
        }
    }

    // MARK: JPEG

    @Test func cmykJPEGAsPillowWritesIt() throws {
        #expect(
            try decode(ReaderFixtures.cmykJPEG, .pillow)
                == (4, 2, [255, 254, 255, 1, 254, 253, 254, 0, 255, 254, 253, 0, 1, 1, 1, 157, 146, 133, 51, 141, 184, 63, 62, 63]))
        #expect(
            try decode(ReaderFixtures.cmykJPEG, .opencv)
                == (4, 2, [255, 255, 255, 2, 254, 254, 255, 1, 255, 254, 254, 1, 1, 1, 1, 158, 146, 134, 53, 142, 185, 63, 63, 64]))
    }

    @Test func ycckJPEG() throws {
        #expect(try decode(ReaderFixtures.ycckJPEG, .pillow) == (3, 2, [0, 0, 0, 0, 0, 0, 4, 13, 20, 16, 8, 4, 61, 60, 59, 2, 3, 0]))
        #expect(try decode(ReaderFixtures.ycckJPEG, .opencv) == (3, 2, [0, 0, 0, 0, 0, 0, 5, 13, 20, 17, 8, 4, 62, 61, 60, 3, 4, 1]))
    }

    @Test(arguments: ImageReader.allCases)
    func greyJPEGIsGreyInAllChannels(reader: ImageReader) throws {
        let image = try RGBImage(width: 3, height: 1, pixels: grey([0, 128, 255]))
        let bytes = try JPEGCodec.encode(image, quality: 100)
        let (width, height, pixels) = try decode(bytes, reader)
        #expect(width == 3 && height == 1)
        for p in 0..<3 { #expect(pixels[p * 3] == pixels[p * 3 + 1] && pixels[p * 3] == pixels[p * 3 + 2]) }
    }

    /// The 3x2 picture `ReaderFixtures.rgbJPEG` decodes to: pixels A B C over D E F.
    static let (a, b, c): ([UInt8], [UInt8], [UInt8]) = ([252, 3, 1], [1, 252, 1], [5, 0, 253])
    static let (d, e, f): ([UInt8], [UInt8], [UInt8]) = ([251, 252, 0], [4, 255, 255], [38, 35, 26])
    static let upright = (3, 2, [a, b, c, d, e, f].flatMap { $0 })

    /// What OpenCV gave for each orientation (1...8), as (width, height, pixels).
    static let openCVOrientations: [UInt16: (Int, Int, [UInt8])] = [
        1: upright,
        2: (3, 2, [c, b, a, f, e, d].flatMap { $0 }),
        3: (3, 2, [f, e, d, c, b, a].flatMap { $0 }),
        4: (3, 2, [d, e, f, a, b, c].flatMap { $0 }),
        5: (2, 3, [a, d, b, e, c, f].flatMap { $0 }),
        6: (2, 3, [d, a, e, b, f, c].flatMap { $0 }),
        7: (2, 3, [f, c, e, b, d, a].flatMap { $0 }),
        8: (2, 3, [c, f, b, e, a, d].flatMap { $0 }),
    ]

    func withExif(_ tiff: [UInt8]) -> [UInt8] {
        ExifBuilder.jpeg(ReaderFixtures.rgbJPEG, inserting: ExifBuilder.app1(tiff))
    }

    @Test(arguments: 1...8)
    func jpegExifOrientationIsAppliedByOpenCVOnly(orientation: Int) throws {
        let value = UInt16(orientation)
        // An image-width entry first, and both byte orders, as cameras write them.
        let file = withExif(
            ExifBuilder.tiff(
                bigEndian: orientation % 2 == 0, [Entry(tag: 0x0100, type: 4, count: 1, value: 3), .orientation(value)]))
        #expect(try decode(file, .pillow) == Self.upright)
        #expect(try decode(file, .opencv) == Self.openCVOrientations[value]!)
    }

    @Test func damagedExifIsReadAsOpenCVReadsIt() throws {
        let six = Entry.orientation(6)
        let ignored: [(String, [UInt8])] = [
            ("IFD0 offset past the end", withExif(ExifBuilder.tiff(bigEndian: false, [six], ifdOffset: 0xFFFF))),
            ("byte order XX", withExif([0x58, 0x58] + ExifBuilder.tiff(bigEndian: false, [six]).dropFirst(2))),
            ("orientation 9", withExif(ExifBuilder.tiff(bigEndian: false, [.orientation(9)]))),
            ("orientation 0", withExif(ExifBuilder.tiff(bigEndian: false, [.orientation(0)]))),
            ("cut after 6 bytes", withExif(Array(ExifBuilder.tiff(bigEndian: false, [six]).prefix(6)))),
            ("42 is 43", withExif([0x49, 0x49, 43, 0] + ExifBuilder.tiff(bigEndian: false, [six]).dropFirst(4))),
            ("LONG 6, big-endian: first 16 bits are 0",
             withExif(ExifBuilder.tiff(bigEndian: true, [Entry(tag: 0x0112, type: 4, count: 1, value: 6)]))),
            ("header exif, lower case", ExifBuilder.jpeg(
                ReaderFixtures.rgbJPEG,
                inserting: ExifBuilder.app1(ExifBuilder.tiff(bigEndian: false, [six]), header: Array("exif".utf8) + [0, 0]))),
            ("model text outside the data, before the orientation",
             withExif(ExifBuilder.tiff(bigEndian: false, [Entry(tag: 0x0110, type: 2, count: 100, value: 0xFFFFFF), six]))),
            ("resolution outside the data, before the orientation",
             withExif(ExifBuilder.tiff(bigEndian: false, [Entry(tag: 0x011A, type: 5, count: 1, value: 0xFFFFFF), six]))),
        ]
        let applied: [(String, [UInt8])] = [
            ("count of 100 entries, one present", withExif(ExifBuilder.tiff(bigEndian: false, [six], count: 100))),
            ("LONG 6, little-endian", withExif(ExifBuilder.tiff(bigEndian: false, [Entry(tag: 0x0112, type: 4, count: 1, value: 6)]))),
            ("BYTE type", withExif(ExifBuilder.tiff(bigEndian: false, [Entry(tag: 0x0112, type: 1, count: 1, value: 6)]))),
            ("count 2", withExif(ExifBuilder.tiff(bigEndian: false, [Entry(tag: 0x0112, type: 3, count: 2, value: 6)]))),
            ("bad model text after the orientation",
             withExif(ExifBuilder.tiff(bigEndian: false, [six, Entry(tag: 0x0110, type: 2, count: 100, value: 0xFFFFFF)]))),
            ("unknown tag and type before the orientation",
             withExif(ExifBuilder.tiff(bigEndian: false, [Entry(tag: 0x9999, type: 99, count: 1, value: 0), six]))),
            ("the first of two orientations",
             withExif(ExifBuilder.tiff(bigEndian: false, [six, .orientation(3)]))),
            ("after an XMP APP1", ExifBuilder.jpeg(
                ReaderFixtures.rgbJPEG,
                inserting: ExifBuilder.app1([], header: Array("http://ns.adobe.com/xap/1.0/\u{0}<x/>".utf8))
                    + ExifBuilder.app1(ExifBuilder.tiff(bigEndian: false, [six])))),
        ]
        for (what, file) in ignored + applied {
            #expect(try decode(file, .pillow) == Self.upright, "\(what)")
        }
        for (what, file) in ignored {
            #expect(try decode(file, .opencv) == Self.upright, "\(what)")
        }
        for (what, file) in applied {
            #expect(try decode(file, .opencv) == Self.openCVOrientations[6]!, "\(what)")
        }
    }
}
