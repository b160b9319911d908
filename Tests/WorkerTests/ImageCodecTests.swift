import CPNG
import Core
import Foundation
import Testing
import Worker

struct ImageCodecTests {
    /// A PNG in one of libpng's simplified formats (1 gray+alpha, 0 gray, 3 RGBA,
    /// 0x0B RGBA colour-mapped), written by libpng itself so the decoder sees real files.
    func libpngFile(
        width: UInt32, height: UInt32, format: UInt32, pixels: [UInt8], colormap: [UInt8]? = nil
    ) throws -> [UInt8] {
        var image = png_image()
        image.version = 1  // PNG_IMAGE_VERSION
        image.width = width
        image.height = height
        image.format = format
        image.colormap_entries = UInt32((colormap?.count ?? 0) / 4)
        defer { png_image_free(&image) }
        var size = 0
        #expect(png_image_write_to_memory(&image, nil, &size, 0, pixels, 0, colormap) != 0)
        var bytes = [UInt8](repeating: 0, count: size)
        #expect(png_image_write_to_memory(&image, &bytes, &size, 0, pixels, 0, colormap) != 0)
        return Array(bytes.prefix(size))
    }

    @Test func pngRoundTripIsExact() throws {
        let image = RGBImage.synthetic(index: 2, width: 37, height: 23)
        let bytes = try PNGCodec.encode(image)
        #expect(ImageDecoder.format(of: bytes) == .png)
        #expect(try PNGCodec.decode(bytes, name: "a.png", reader: .pillow) == image)
        #expect(try ImageDecoder.decode(bytes, name: "a.png", reader: .opencv) == image)
    }

    @Test func grayPaletteAndAlphaPNGsComeOutAsRGB() throws {
        let gray = try libpngFile(width: 3, height: 1, format: 0, pixels: [0, 128, 255])
        #expect(try PNGCodec.decode(gray, name: "gray.png", reader: .pillow).pixels == [0, 0, 0, 128, 128, 128, 255, 255, 255])

        // Alpha is dropped, not composited: a fully transparent pixel keeps its colour.
        let grayAlpha = try libpngFile(width: 2, height: 1, format: 1, pixels: [90, 0, 200, 255])
        #expect(try PNGCodec.decode(grayAlpha, name: "ga.png", reader: .pillow).pixels == [90, 90, 90, 200, 200, 200])
        let rgba = try libpngFile(width: 2, height: 1, format: 3, pixels: [10, 20, 30, 0, 40, 50, 60, 128])
        #expect(try PNGCodec.decode(rgba, name: "rgba.png", reader: .pillow).pixels == [10, 20, 30, 40, 50, 60])

        let palette: [UInt8] = [255, 0, 0, 255, 0, 200, 0, 0, 7, 8, 9, 255]
        let indexed = try libpngFile(width: 4, height: 1, format: 0x0B, pixels: [2, 1, 0, 2], colormap: palette)
        #expect(
            try PNGCodec.decode(indexed, name: "p.png", reader: .pillow).pixels == [7, 8, 9, 0, 200, 0, 255, 0, 0, 7, 8, 9])
    }

    @Test func jpegOfAFlatColourIsWithinTwoLevels() throws {
        let colour: [UInt8] = [200, 120, 40]
        let image = try RGBImage(width: 32, height: 24, pixels: Array([[UInt8]](repeating: colour, count: 32 * 24).joined()))
        let bytes = try JPEGCodec.encode(image, quality: 95)
        #expect(ImageDecoder.format(of: bytes) == .jpeg)
        let decoded = try ImageDecoder.decode(bytes, name: "flat.jpg", reader: .pillow)
        #expect(decoded.width == 32 && decoded.height == 24)
        for (index, value) in decoded.pixels.enumerated() {
            #expect(abs(Int(value) - Int(colour[index % 3])) <= 2)
        }
    }

    @Test func jpegOfASyntheticImageIsClose() throws {
        let image = RGBImage.synthetic(index: 5, width: 64, height: 48)
        let decoded = try JPEGCodec.decode(JPEGCodec.encode(image, quality: 90), name: "s.jpg", reader: .pillow)
        let meanError = zip(decoded.pixels, image.pixels).reduce(0) { $0 + abs(Int($1.0) - Int($1.1)) }
        #expect(Double(meanError) / Double(image.pixels.count) < 6)
    }

    @Test func badFilesGiveErrorsNamingThem() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let valid = try JPEGCodec.encode(RGBImage.synthetic(index: 1, width: 64, height: 48), quality: 90)

        let corrupt = try folder.write([0xFF, 0xD8, 0xFF, 0xE0] + [UInt8](repeating: 0x5A, count: 300), to: "bad.jpg")
        let truncated = try folder.write(Array(valid.prefix(valid.count / 2)), to: "half.jpg")
        let text = try folder.write(Array("hello, world".utf8), to: "notes.jpg")
        let empty = try folder.write([], to: "empty.png")
        let badPNG = try folder.write(
            [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A] + [UInt8](repeating: 1, count: 40), to: "bad.png")
        let png = try PNGCodec.encode(RGBImage.synthetic(index: 1, width: 64, height: 48))
        let halfPNG = try folder.write(Array(png.prefix(png.count / 2)), to: "half.png")

        func failure(_ url: URL) -> ImageFileError? {
            do {
                _ = try ImageDecoder.decode(contentsOf: url, reader: .pillow)
                return nil
            } catch {
                return error
            }
        }
        let corruptError = try #require(failure(corrupt))
        guard case .corruptJPEG(name: "bad.jpg", _) = corruptError else {
            Issue.record("unexpected \(corruptError)")
            return
        }
        // A truncated JPEG is a libjpeg warning; it must fail rather than give a grey half.
        #expect(failure(truncated) == .corruptJPEG(name: "half.jpg", reason: "Premature end of JPEG file"))
        #expect(failure(truncated)?.description == "corrupt JPEG 'half.jpg': Premature end of JPEG file")
        #expect(failure(text) == .unsupportedFormat(name: "notes.jpg", leadingBytes: "68 65 6C 6C 6F 2C 20 77"))
        #expect(failure(empty) == .emptyFile(name: "empty.png"))
        #expect(failure(empty)?.description == "empty image file 'empty.png'")
        for (url, name) in [(badPNG, "bad.png"), (halfPNG, "half.png")] {
            let error = try #require(failure(url))
            guard case .corruptPNG(name: name, _) = error else {
                Issue.record("unexpected \(error)")
                continue
            }
            #expect(error.description.hasPrefix("corrupt PNG '\(name)': "))
        }
        let absent = folder.url.appendingPathComponent("absent.jpg")
        let absentError = try #require(failure(absent))
        guard case .unreadable(path: absent.path, _) = absentError else {
            Issue.record("unexpected \(absentError)")
            return
        }
        for error in [corruptError, absentError] {
            #expect(!error.description.contains("\n"))
        }
    }

    @Test(arguments: ImageReader.allCases)
    func damagedFilesFailWithoutCrashing(reader: ImageReader) throws {
        let image = RGBImage.synthetic(index: 6, width: 40, height: 30)
        for (name, valid) in [("x.jpg", try JPEGCodec.encode(image, quality: 90)), ("x.png", try PNGCodec.encode(image))] {
            var generator = SeededGenerator(seed: 1, stream: name)
            for cut in stride(from: 0, to: valid.count, by: max(valid.count / 40, 1)) {
                #expect(throws: ImageFileError.self) { try ImageDecoder.decode(Array(valid.prefix(cut)), name: name, reader: reader) }
            }
            // Flipped bytes may still decode (to a damaged picture) but must never crash.
            for _ in 0..<60 {
                var damaged = valid
                let position = 8 + Int(generator.next() % UInt64(valid.count - 8))
                damaged[position] ^= UInt8(truncatingIfNeeded: 1 + generator.next() % 255)
                if let decoded = try? ImageDecoder.decode(damaged, name: name, reader: reader) {
                    #expect(decoded.pixels.count == decoded.width * decoded.height * 3)
                }
            }
        }
    }

    @Test func formatComesFromContentNotName() throws {
        let image = RGBImage.synthetic(index: 4, width: 8, height: 8)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let url = try folder.write(PNGCodec.encode(image), to: "really-a-png.JPG")
        #expect(try ImageDecoder.decode(contentsOf: url, reader: .pillow) == image)
    }
}
