/// Cuts the calibration images into the units of work the coordinator hands out.
///
/// A shard is a run of consecutive image indices; shard `i` is `shards[i]`. Every
/// index in `0..<imageCount` belongs to exactly one shard, so completing every shard
/// once yields exactly one statistics record per image.
public struct ShardPlan: Hashable, Sendable {
    /// The number of images being calibrated.
    public let imageCount: Int
    /// The nominal shard length; only the last shard may be shorter.
    public let size: Int
    /// Image index ranges, in order; shard ids are positions in this array.
    public let shards: [Range<Int>]

    /// Splits `0..<imageCount` into shards of `size` indices (the last one shorter).
    public init(imageCount: Int, size: Int) {
        precondition(imageCount >= 0, "image count must not be negative")
        precondition(size >= 1, "shard size must be at least 1")
        self.imageCount = imageCount
        self.size = size
        shards = stride(from: 0, to: imageCount, by: size).map { start in
            start..<min(start + size, imageCount)
        }
    }

    /// The number of shards.
    public var count: Int { shards.count }

    /// Shard `shard`'s images for messages, as indices in the calibration set: `image 3`,
    /// or `images 3-6` (both ends included).
    public func images(of shard: Int) -> String {
        let range = shards[shard]
        return range.count == 1 ? "image \(range.lowerBound)" : "images \(range.lowerBound)-\(range.upperBound - 1)"
    }

    /// A shard size small enough that pull-based scheduling can balance uneven
    /// workers (about four shards per worker), clamped to `1...16` so that one lost
    /// shard never costs much recomputation.
    public static func defaultSize(imageCount: Int, expectedWorkers: Int) -> Int {
        let perShard = max(imageCount, 0) / (4 * max(expectedWorkers, 1))
        return min(max(perShard, 1), 16)
    }
}
