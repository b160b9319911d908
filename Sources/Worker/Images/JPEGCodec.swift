import CTurboJPEG
import Core

/// JPEG reading and writing through libjpeg-turbo's TurboJPEG API: COCO's calibration
/// images are JPEGs, and example images are written as JPEGs so they take the same path.
/// Decoding uses the accurate integer IDCT and smooth chroma upsampling, as Pillow does.
public enum JPEGCodec {
    /// Decodes `bytes` to RGB (grayscale JPEGs come out grey in all three channels).
    /// Any libjpeg warning, such as a truncated file, is an error: a partly grey image
    /// would silently skew calibration statistics. `name` appears in error messages.
    public static func decode(_ bytes: [UInt8], name: String) throws(ImageFileError) -> RGBImage {
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

        let count = Int(width) * Int(height) * 3
        var status: Int32 = 0
        let pixels = [UInt8](unsafeUninitializedCapacity: count) { output, initialized in
            status = bytes.withUnsafeBufferPointer { buffer in
                tjDecompress2(
                    handle, buffer.baseAddress, UInt(buffer.count), output.baseAddress, width, width * 3, height,
                    Int32(TJPF_RGB.rawValue), TJFLAG_STOPONWARNING)
            }
            // On failure the buffer may be partly written; it is discarded below.
            initialized = count
        }
        guard status == 0 else { throw .corruptJPEG(name: name, reason: message(handle)) }
        do {
            return try RGBImage(width: Int(width), height: Int(height), pixels: pixels)
        } catch {
            throw .corruptJPEG(name: name, reason: error.description)
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
