import Core
import Protocol

/// The byte layout of the coordinator's result journal, with no file access: an
/// append-only file a coordinator extends by one record per accepted shard, so that a
/// restarted coordinator can take back every result it had accepted.
///
/// Format version 1, integers little-endian:
/// - Header: the magic `CALIBJNL`, the version (`UInt16`), the job key (`UInt32` length,
///   then UTF-8), the shard count (`UInt32`), then a checksum: the first 16 bytes of the
///   SHA-256 of every header byte before it.
/// - Then one record per accepted shard: the shard id (`UInt32`), the payload length
///   (`UInt32`), the payload, then the first 16 bytes of the SHA-256 of the id, length
///   and payload bytes.
///
/// A record is written with one write and then flushed, so a coordinator killed while
/// appending leaves at worst an incomplete last record. Decoding stops at the first
/// record that is incomplete or fails its checksum: every record before it is trusted,
/// everything from it on is reported as damage and dropped. The header is never torn:
/// `ResultJournal` gives the file its name only once the header is on disk.
public enum JournalFormat {
    /// The first bytes of a journal.
    public static let magic = Array("CALIBJNL".utf8)
    static let formatVersion: UInt16 = 1
    /// Bytes of SHA-256 kept as a checksum.
    static let checksumLength = 16
    /// Bytes of a record before its payload: the shard id and the payload length.
    static let recordPrefixLength = 8

    /// The header of a journal for the job `jobKey` (which the caller derives from
    /// everything that decides the results: model, images, shard size...) cut into
    /// `shardCount` shards.
    public static func header(jobKey: String, shardCount: Int) -> [UInt8] {
        precondition(UInt32(exactly: shardCount) != nil, "a journal holds 0...\(UInt32.max) shards, not \(shardCount)")
        var writer = ByteWriter()
        writer.write(raw: magic)
        writer.write(formatVersion)
        writer.write(jobKey)
        writer.write(UInt32(shardCount))
        writer.write(raw: checksum(writer.bytes))
        return writer.bytes
    }

    /// The record of shard `shard`'s result `payload` (encoded `CalibrationStatistics`).
    public static func record(shard: Int, payload: [UInt8]) -> [UInt8] {
        precondition(UInt32(exactly: shard) != nil, "shard id \(shard) does not fit a journal record")
        var writer = ByteWriter()
        writer.write(UInt32(shard))
        writer.write(lengthPrefixed: payload)
        writer.write(raw: checksum(writer.bytes))
        return writer.bytes
    }

    /// Reads a journal: its header and every record up to the first incomplete or
    /// damaged one. Throws `JournalError` when the header is not a version 1 journal
    /// header, as nothing after it could be trusted; `path` names the bytes in errors.
    public static func decode(_ bytes: [UInt8], path: String = "(in memory)") throws -> JournalContents {
        let (jobKey, shardCount, headerLength) = try decodeHeader(bytes, path: path)
        var records = [JournalRecord]()
        var seen = Set<Int>()
        var intactLength = headerLength
        var position = 0
        var damage: String?
        while intactLength < bytes.count {
            let start = intactLength
            let left = bytes.count - start
            guard left >= recordPrefixLength else {
                damage = "torn last record at byte \(start) (\(byteCount(left)) discarded)"
                break
            }
            let shard = Int(uint32(bytes, at: start))
            let payloadLength = Int(uint32(bytes, at: start + 4))
            guard left >= recordPrefixLength + payloadLength + checksumLength else {
                damage = "torn last record at byte \(start) (\(byteCount(left)) discarded)"
                break
            }
            let payloadEnd = start + recordPrefixLength + payloadLength
            guard checksum(Array(bytes[start..<payloadEnd])).elementsEqual(bytes[payloadEnd..<payloadEnd + checksumLength])
            else {
                damage = "checksum mismatch in record \(position) at byte \(start); \(byteCount(left)) discarded"
                break
            }
            guard shard < shardCount else {
                damage = "record \(position) at byte \(start) names shard \(shard) of \(shardCount); \(byteCount(left)) discarded"
                break
            }
            if seen.insert(shard).inserted {
                records.append(JournalRecord(shard: shard, payload: Array(bytes[start + recordPrefixLength..<payloadEnd])))
            }
            intactLength = payloadEnd + checksumLength
            position += 1
        }
        return JournalContents(
            jobKey: jobKey, shardCount: shardCount, records: records, intactLength: intactLength, damage: damage)
    }

    /// The job key, the shard count and the header's length in bytes.
    private static func decodeHeader(_ bytes: [UInt8], path: String) throws -> (String, Int, Int) {
        guard bytes.starts(with: magic) else { throw JournalError.notJournal(path: path) }
        var reader = ByteReader(bytes)
        do {
            _ = try reader.read(raw: magic.count, "magic")
            let version = try reader.read(UInt16.self, "format version")
            guard version == formatVersion else {
                throw JournalError.unsupportedVersion(path: path, found: version, supported: formatVersion)
            }
            let jobKey = try reader.readString("job key")
            let shardCount = try reader.read(UInt32.self, "shard count")
            let checked = reader.offset
            let stored = try reader.read(raw: checksumLength, "header checksum")
            guard stored == checksum(Array(bytes[..<checked])) else {
                throw JournalError.damagedHeader(path: path, reason: "checksum mismatch")
            }
            return (jobKey, Int(shardCount), reader.offset)
        } catch let error as BinaryCodingError {
            throw JournalError.damagedHeader(path: path, reason: error.description)
        }
    }

    private static func checksum(_ bytes: [UInt8]) -> [UInt8] {
        Array(CryptoSHA256.digest(bytes).prefix(checksumLength))
    }

    private static func uint32(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }

    private static func byteCount(_ count: Int) -> String {
        count == 1 ? "1 byte" : "\(count) bytes"
    }
}
