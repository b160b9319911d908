import Worker

/// libFuzzer entry of target `image` (`scripts/fuzz.sh image`): calibration folders and
/// shards hold whatever files users have, so any bytes must decode to an image or give
/// an `ImageFileError`, never trap, hang or exhaust memory. Only the public entry is
/// fuzzed, so the target does not depend on how each codec is written.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzImage(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    _ = try? ImageDecoder.decode(Array(UnsafeBufferPointer(start: data, count: size)), name: "fuzz input")
    return 0
}
