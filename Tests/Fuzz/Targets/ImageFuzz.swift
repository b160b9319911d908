import Core
import Worker

/// libFuzzer entry of target `image` (`scripts/fuzz.sh image`): calibration folders and
/// shards hold whatever files users have, so any bytes must decode to an image or give
/// an `ImageFileError`, never trap, hang or exhaust memory, with either reader. Only the
/// public entry is fuzzed, so the target does not depend on how each codec is written.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    for reader in ImageReader.allCases {
        _ = try? ImageDecoder.decode(bytes, name: "fuzz input", reader: reader)
    }
    return 0
}
