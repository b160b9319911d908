import CPNG
import Core

/// PNG reading and writing through libpng's simplified API: some calibration folders hold
/// PNGs, and tests need lossless files. Gray, palette and alpha PNGs are read as RGB by
/// dropping alpha (no compositing), which is what Pillow's `convert("RGB")` does.
public enum PNGCodec {
    // libpng's format and version macros are built from other macros and do not all
    // import into Swift; these are their values from png.h (libpng 1.6).
    /// `PNG_IMAGE_VERSION`.
    private static let imageVersion: UInt32 = 1
    /// `PNG_FORMAT_RGB` (= `PNG_FORMAT_FLAG_COLOR`).
    private static let formatRGB: UInt32 = 0x02
    /// `PNG_FORMAT_RGBA` (= `PNG_FORMAT_FLAG_COLOR | PNG_FORMAT_FLAG_ALPHA`).
    private static let formatRGBA: UInt32 = 0x03

    /// Decodes `bytes` to RGB; `name` appears in error messages.
    public static func decode(_ bytes: [UInt8], name: String) throws(ImageFileError) -> RGBImage {
        guard !bytes.isEmpty else { throw .emptyFile(name: name) }
        var image = png_image()
        image.version = imageVersion
        // Safe to call on a freed or never-started image: it only releases what is held.
        defer { png_image_free(&image) }

        let begun = bytes.withUnsafeBufferPointer { buffer in
            png_image_begin_read_from_memory(&image, buffer.baseAddress, buffer.count)
        }
        guard begun != 0 else { throw .corruptPNG(name: name, reason: message(image)) }
        let width = Int(image.width), height = Int(image.height)
        try ImageFileError.checkSize(width: width, height: height, name: name)

        // Read as RGBA and drop alpha ourselves: asking libpng for RGB would composite.
        image.format = formatRGBA
        let rgbaCount = width * height * 4
        var finished: Int32 = 0
        let rgba = [UInt8](unsafeUninitializedCapacity: rgbaCount) { output, initialized in
            finished = png_image_finish_read(&image, nil, output.baseAddress, Int32(width * 4), nil)
            // On failure the buffer may be partly written; it is discarded below.
            initialized = rgbaCount
        }
        guard finished != 0 else { throw .corruptPNG(name: name, reason: message(image)) }

        let rgb = [UInt8](unsafeUninitializedCapacity: width * height * 3) { output, initialized in
            rgba.withUnsafeBufferPointer { source in
                for p in 0..<width * height {
                    output[p * 3] = source[p * 4]
                    output[p * 3 + 1] = source[p * 4 + 1]
                    output[p * 3 + 2] = source[p * 4 + 2]
                }
            }
            initialized = width * height * 3
        }
        do {
            return try RGBImage(width: width, height: height, pixels: rgb)
        } catch {
            throw .corruptPNG(name: name, reason: error.description)
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

    /// libpng's message from the last call on `image` (a 64-byte C string).
    private static func message(_ image: png_image) -> String {
        var copy = image.message
        let text = withUnsafeBytes(of: &copy) { raw in
            String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
        }
        return text.isEmpty ? "unknown libpng error" : ImageFileError.oneLine(text)
    }
}
