import CTurboJPEG
import Core

/// JPEG reading and writing through libjpeg-turbo's TurboJPEG API: COCO's calibration
/// images are JPEGs, and example images are written as JPEGs so they take the same path.
/// Decoding uses the accurate integer IDCT and smooth chroma upsampling, as Pillow and
/// OpenCV do.
public enum JPEGCodec {
    /// Decodes `bytes` to RGB as `reader` would: grayscale JPEGs come out grey in all three
    /// channels, CMYK and YCCK JPEGs are converted with `reader`'s formula, and the EXIF
    /// orientation is applied when `reader` applies it. Any libjpeg warning, such as a
    /// truncated file, is an error: a partly grey image would silently skew calibration
    /// statistics. `name` appears in error messages.
    public static func decode(_ bytes: [UInt8], name: String, reader: ImageReader) throws(ImageFileError) -> RGBImage {
        guard !bytes.isEmpty else { throw .emptyFile(name: name) }
        guard let handle = tjInitDecompress() else {
            throw .corruptJPEG(name: name, reason: "cannot create a TurboJPEG decompressor")
        }
        defer { tjDestroy(handle) }

        var width: Int32 = 0, height: Int32 = 0, subsampling: Int32 = 0, colourspace: Int32 = 0
        let headerStatus = bytes.withUnsafeBufferPointer { buffer in
            tjDecompressHeader3(
                handle, buffer.baseAddress, UInt(buffer.count), &width, &height, &subsampling, &colourspace)
        }
        guard headerStatus == 0 else { throw .corruptJPEG(name: name, reason: message(handle)) }
        // A stream that ends before its frame header reads as "tables only", with size 0.
        guard width > 0, height > 0 else {
            throw .corruptJPEG(name: name, reason: "no image frame before the end of the data")
        }
        try ImageFileError.checkSize(width: Int(width), height: Int(height), name: name)

        let inks = colourspace == Int32(TJCS_CMYK.rawValue) || colourspace == Int32(TJCS_YCCK.rawValue)
        let channels = inks ? 4 : 3
        let count = Int(width) * Int(height) * channels
        var status: Int32 = 0
        let samples = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            status = bytes.withUnsafeBufferPointer { buffer in
                tjDecompress2(
                    handle, buffer.baseAddress, UInt(buffer.count), output.baseAddress, width, width * Int32(channels),
                    height, Int32(inks ? TJPF_CMYK.rawValue : TJPF_RGB.rawValue), TJFLAG_STOPONWARNING)
            }
            // On failure the buffer may be partly written; it is discarded below.
            initialized = count
        }
        guard status == 0 else { throw .corruptJPEG(name: name, reason: message(handle)) }
        let image: RGBImage
        do {
            image = try RGBImage(
                width: Int(width), height: Int(height), pixels: inks ? rgb(cmyk: samples, reader: reader) : samples)
        } catch {
            throw .corruptJPEG(name: name, reason: error.description)
        }
        guard reader.appliesExifOrientation, let tiff = JPEGExifSegment.tiff(in: bytes),
            let orientation = ExifOrientation(tiff: tiff)
        else { return image }
        return orientation.apply(to: image)
    }

    /// RGB from CMYK samples as libjpeg returns them (YCCK already converted, inks
    /// inverted as Adobe stores them), with `reader`'s conversion.
    private static func rgb(cmyk: [UInt8], reader: ImageReader) -> [UInt8] {
        let pixels = cmyk.count / 4
        return [UInt8](unsafeUninitializedCapacity: pixels * 3) { output, initialized in
            for p in 0..<pixels {
                let black = cmyk[p * 4 + 3]
                output[p * 3] = reader.channel(ink: cmyk[p * 4], black: black)
                output[p * 3 + 1] = reader.channel(ink: cmyk[p * 4 + 1], black: black)
                output[p * 3 + 2] = reader.channel(ink: cmyk[p * 4 + 2], black: black)
            }
            initialized = pixels * 3
        }
    }

    /// Compresses `image` as a baseline JPEG with 4:2:0 chroma subsampling at `quality`
    /// (clamped to 1...100).
    public static func encode(_ image: RGBImage, quality: Int) throws(ImageFileError) -> [UInt8] {
        guard let handle = tjInitCompress() else {
            throw .encodingFailed(format: "JPEG", reason: "cannot create a TurboJPEG compressor")
        }
        defer { tjDestroy(handle) }
        guard let width = Int32(exactly: image.width), let height = Int32(exactly: image.height),
            let pitch = Int32(exactly: image.width * 3)
        else {
            throw .encodingFailed(format: "JPEG", reason: "image \(image.width)x\(image.height) is too large")
        }

        var output: UnsafeMutablePointer<UInt8>? = nil
        var size: UInt = 0
        defer { tjFree(output) }
        let status = image.pixels.withUnsafeBufferPointer { source in
            tjCompress2(
                handle, source.baseAddress, width, pitch, height, Int32(TJPF_RGB.rawValue), &output, &size,
                Int32(TJSAMP_420.rawValue), Int32(min(max(quality, 1), 100)), 0)
        }
        guard status == 0, let output else {
            throw .encodingFailed(format: "JPEG", reason: message(handle))
        }
        return Array(UnsafeBufferPointer(start: output, count: Int(size)))
    }

    /// TurboJPEG's message for the last failure on `handle`, on one line.
    private static func message(_ handle: tjhandle) -> String {
        guard let text = tjGetErrorStr2(handle) else { return "unknown TurboJPEG error" }
        return ImageFileError.oneLine(String(cString: text))
    }
}
