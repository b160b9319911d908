import Core

/// libFuzzer entry of target `statistics` (`scripts/fuzz.sh statistics`): statistics
/// arrive from workers and from `--load-stats` files, so any bytes must decode or be
/// refused with a `StatisticsError`, never trap, hang or exhaust memory. What decodes
/// must encode back to the same bytes, as the format is canonical.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzStatistics(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    guard let statistics = try? CalibrationStatistics(decoding: bytes) else { return 0 }
    if statistics.encoded() != bytes {
        fatalError("decoded statistics of \(statistics.tensorNames.count) tensors do not encode back to their \(size) bytes")
    }
    return 0
}
