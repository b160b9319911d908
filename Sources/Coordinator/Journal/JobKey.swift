import Core
import Protocol

/// Identifies a calibration job for its journal: everything that decides which images
/// go into which shard and what statistics they give. A journal written for one key is
/// never replayed into a job with another, so a resumed run cannot mix in results of
/// another model, image list, preprocessing (image reader, input shape and layout
/// included), statistics collection (results of extremes alone cannot serve a method
/// that needs histograms) or shard size.
///
/// Images are identified by name and file size, not by content: hashing every image
/// again on resume would cost as much as reading the whole set.
public struct JobKey: Sendable, Equatable {
    /// 64 lowercase hex digits.
    public let hex: String

    public init(
        modelDigest: String, tensorNames: [String], interpolation: String, channelOrder: String, reader: String,
        inputShape: [Int], layout: String, collection: StatisticsCollection, shardSize: Int, images: [(name: String, bytes: Int)]
    ) {
        var writer = ByteWriter()
        writer.write("calib-job-key-3")
        // Records hold encoded statistics: a journal of another format is another job.
        writer.write(CalibrationStatistics.formatVersion)
        writer.write(modelDigest)
        writer.write(UInt32(tensorNames.count))
        for name in tensorNames { writer.write(name) }
        writer.write(interpolation)
        writer.write(channelOrder)
        writer.write(reader)
        writer.write(UInt32(inputShape.count))
        for dimension in inputShape { writer.write(Int64(dimension)) }
        writer.write(layout)
        writer.write(collection.rawValue)
        writer.write(UInt64(shardSize))
        writer.write(UInt32(images.count))
        for image in images {
            writer.write(image.name)
            writer.write(UInt64(image.bytes))
        }
        hex = CryptoSHA256.hex(writer.bytes)
    }
}
