import CPNG
import CPNGShim
import Core

/// PNG reading and writing: some calibration folders hold PNGs, and tests need lossless
/// files. Reading goes through libpng's regular API (via `CPNGShim`, which keeps libpng's
/// longjmp in C) rather than the simplified one, because the simplified one applies gAMA
/// and neither reference reader does; writing uses the simplified API.
public enum PNGCodec {
    // libpng's format and version macros are built from other macros and do not all
    // import into Swift; these are their values from png.h (libpng 1.6).
    /// `PNG_IMAGE_VERSION`.
    private static let imageVersion: UInt32 = 1
    /// `PNG_FORMAT_RGB` (= `PNG_FORMAT_FLAG_COLOR`).
    private static let formatRGB: UInt32 = 0x02

    /// Decodes `bytes` to RGB as `reader` would: grey and palettes expanded, alpha and tRNS
    /// dropped without compositing, gAMA/sRGB/iCCP not applied, 16-bit samples reduced as
    /// `reader` reduces them, and the eXIf orientation applied when `reader` applies it.
    /// `name` appears in error messages.
    public static func decode(_ bytes: [UInt8], name: String, reader: ImageReader) throws(ImageFileError) -> RGBImage {
        guard !bytes.isEmpty else { throw .emptyFile(name: name) }
        return try bytes.withUnsafeBufferPointer { (buffer) throws(ImageFileError) -> RGBImage in
            guard let png = calib_png_open(buffer.baseAddress, buffer.count) else {
                throw .corruptPNG(name: name, reason: "out of memory")
            }
            defer { calib_png_close(png) }
            var layout = calib_png_layout()
            guard calib_png_read_layout(png, &layout) == 0 else {
                throw .corruptPNG(name: name, reason: message(png))
            }
            let width = Int(layout.width), height = Int(layout.height)
            try ImageFileError.checkSize(width: width, height: height, name: name)
            let channels = Int(layout.channels), sampleBytes = Int(layout.bit_depth) / 8
            guard (1...4).contains(channels), sampleBytes == 1 || sampleBytes == 2 else {
                throw .corruptPNG(name: name, reason: "unexpected layout: \(channels) channels of \(layout.bit_depth) bits")
            }
            let count = width * height * channels * sampleBytes
            var status: Int32 = 0
            let samples = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
                status = calib_png_read_pixels(png, output.baseAddress)
                // On failure the buffer may be partly written; it is discarded below.
                initialized = count
            }
            guard status == 0 else { throw .corruptPNG(name: name, reason: message(png)) }

            let image: RGBImage
            do throws(ImageError) {
                image = try RGBImage(
                    width: width, height: height,
                    pixels: rgb(samples, pixels: width * height, channels: channels, sixteenBits: sampleBytes == 2, reader: reader))
            } catch {
                throw .corruptPNG(name: name, reason: error.description)
            }
            guard reader.appliesExifOrientation else { return image }
            var exifSize = 0
            guard let exif = calib_png_exif(png, &exifSize),
                let orientation = ExifOrientation(tiff: ArraySlice(UnsafeBufferPointer(start: exif, count: exifSize)))
            else { return image }
            return orientation.apply(to: image)
        }
    }

    /// Interleaved RGB from the decoded `samples` (grey spread over R, G and B, alpha
    /// dropped, 16-bit samples big-endian and reduced to 8 bits as `reader` does).
    private static func rgb(
        _ samples: [UInt8], pixels: Int, channels: Int, sixteenBits: Bool, reader: ImageReader
    ) -> [UInt8] {
        let colour = channels >= 3
        return [UInt8](unsafeUninitializedCapacity: pixels * 3) { output, initialized in
            samples.withUnsafeBufferPointer { source in
                func sample(_ index: Int) -> UInt8 {
                    guard sixteenBits else { return source[index] }
                    let value = UInt16(source[2 * index]) << 8 | UInt16(source[2 * index + 1])
                    // Pillow reads 16-bit grey as "I;16", and 16-bit grey+alpha as LA from
                    // the high bytes; only lone grey is clipped.
                    return channels == 1 ? reader.eightBits(fromGrey16: value) : reader.eightBits(fromColour16: value)
                }
                for p in 0..<pixels {
                    let first = p * channels
                    if colour {
                        output[p * 3] = sample(first)
                        output[p * 3 + 1] = sample(first + 1)
                        output[p * 3 + 2] = sample(first + 2)
                    } else {
                        let grey = sample(first)
                        output[p * 3] = grey
                        output[p * 3 + 1] = grey
                        output[p * 3 + 2] = grey
                    }
                }
            }
            initialized = pixels * 3
        }
    }

    /// Compresses `image` losslessly as an 8-bit RGB PNG.
    public static func encode(_ image: RGBImage) throws(ImageFileError) -> [UInt8] {
        guard let width = UInt32(exactly: image.width), let height = UInt32(exactly: image.height),
            let stride = Int32(exactly: image.width * 3)
        else {
            throw .encodingFailed(format: "PNG", reason: "image \(image.width)x\(image.height) is too large")
        }
        var header = png_image()
        header.version = imageVersion
        header.width = width
        header.height = height
        header.format = formatRGB
        defer { png_image_free(&header) }

        // First call measures, second call writes into a buffer of that size.
        var size = 0
        let measured = image.pixels.withUnsafeBufferPointer { source in
            png_image_write_to_memory(&header, nil, &size, 0, source.baseAddress, stride, nil)
        }
        guard measured != 0, size > 0 else {
            throw .encodingFailed(format: "PNG", reason: message(header))
        }
        var written: Int32 = 0
        var capacity = size
        var bytes = [UInt8](unsafeUninitializedCapacity: size) { output, initialized in
            written = image.pixels.withUnsafeBufferPointer { source in
                png_image_write_to_memory(&header, output.baseAddress, &capacity, 0, source.baseAddress, stride, nil)
            }
            initialized = size
        }
        guard written != 0, capacity <= size else {
            throw .encodingFailed(format: "PNG", reason: message(header))
        }
        bytes.removeLast(size - capacity)
        return bytes
    }

    /// libpng's message for the last failure on `png`, on one line.
    private static func message(_ png: OpaquePointer) -> String {
        let text = String(cString: calib_png_message(png))
        return text.isEmpty ? "unknown libpng error" : ImageFileError.oneLine(text)
    }

    /// libpng's message from the last call on `image` (a 64-byte C string).
    private static func message(_ image: png_image) -> String {
        var copy = image.message
        let text = withUnsafeBytes(of: &copy) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "unknown libpng error" : ImageFileError.oneLine(text)
    }
}
