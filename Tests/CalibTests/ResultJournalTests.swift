@testable import Coordinator
import Core
import Foundation
import Protocol
import Testing

/// The result journal: its byte format cut and corrupted at every position, and the
/// file's create, resume, append, remove and failure paths, each test in a fresh folder.
final class ResultJournalTests {
    let folder: URL
    let key = SHA256.hex(Array("model, images, shard size of job one".utf8))
    let otherKey = SHA256.hex(Array("model, images, shard size of job two".utf8))
    /// Three results of a 5-shard job, in the order they were accepted.
    let results = [
        JournalRecord(shard: 3, payload: Array(0..<40)),
        JournalRecord(shard: 0, payload: Array(repeating: 7, count: 100)),
        JournalRecord(shard: 4, payload: []),
    ]

    init() throws {
        folder = try CalibProcess.scratchFolder()
    }

    deinit {
        try? FileManager.default.removeItem(at: folder)
    }

    private var path: String { folder.appendingPathComponent("run.journal").path }

    private func fileBytes() throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// The header and the three records, each record's bytes separately.
    private func encoded() -> (header: [UInt8], records: [[UInt8]]) {
        (JournalFormat.header(jobKey: key, shardCount: 5), results.map { JournalFormat.record(shard: $0.shard, payload: $0.payload) })
    }

    // MARK: Writer

    /// The writer never holds the run up: past its budget a result is not journaled, and
    /// what is queued can be dropped once everything is merged; what it took is written.
    @Test func theWriterKeepsItsBudgetAndDropsWhatIsQueuedOnlyWhenAsked() throws {
        let journal = try ResultJournal.create(path: path, jobKey: key, shardCount: 5)
        let queue = DispatchQueue(label: "test.journal")
        queue.suspend()
        let writer = JournalWriter(journal: journal, budget: 150, queue: queue)
        #expect(writer.append(shard: 3, payload: results[0].payload))
        #expect(writer.append(shard: 0, payload: results[1].payload))
        // 40 + 100 queued: 10 more bytes would go over 150.
        #expect(!writer.append(shard: 1, payload: Array(repeating: 1, count: 11)))
        #expect(writer.append(shard: 4, payload: []))
        queue.resume()
        try writer.finish()
        #expect(writer.resultsNotWritten == 1)
        journal.close()
        let contents = try JournalFormat.decode(try fileBytes())
        #expect(contents.records == results)

        let again = try ResultJournal.create(path: path + ".2", jobKey: key, shardCount: 5)
        queue.suspend()
        let dropping = JournalWriter(journal: again, queue: queue)
        #expect(dropping.append(shard: 3, payload: results[0].payload))
        #expect(dropping.dropQueued() == 1)
        queue.resume()
        try dropping.finish()
        #expect(dropping.resultsNotWritten == 1)
        again.close()
        #expect(try JournalFormat.decode(Array(try Data(contentsOf: URL(fileURLWithPath: path + ".2")))).records.isEmpty)
    }

    // MARK: Format

    @Test func decodesWhatWasEncoded() throws {
        let (header, records) = encoded()
        let contents = try JournalFormat.decode(header + records.joined())
        #expect(contents.jobKey == key)
        #expect(contents.shardCount == 5)
        #expect(contents.records == results)
        #expect(contents.intactLength == header.count + records.joined().count)
        #expect(contents.damage == nil)
        #expect(records[2].count == 24, "id, length and checksum around an empty payload")
    }

    @Test func everyCutKeepsExactlyTheCompleteRecordsBeforeIt() throws {
        let (header, records) = encoded()
        let bytes = header + records.joined()
        let boundaries = records.reduce(into: [header.count]) { $0.append($0.last! + $1.count) }
        for cut in 0..<header.count {
            let prefix = Array(bytes.prefix(cut))
            let error = #expect(throws: JournalError.self) { try JournalFormat.decode(prefix) }
            if cut < 8 {
                #expect(error == .notJournal(path: "(in memory)"), "cut at \(cut)")
            } else {
                #expect(error?.description.contains("has a damaged header") == true, "cut at \(cut)")
            }
        }
        for cut in header.count...bytes.count {
            let contents = try JournalFormat.decode(Array(bytes.prefix(cut)))
            let complete = boundaries.lastIndex { $0 <= cut }!
            #expect(contents.records == Array(results.prefix(complete)), "cut at \(cut)")
            #expect(contents.intactLength == boundaries[complete], "cut at \(cut)")
            if cut == boundaries[complete] {
                #expect(contents.damage == nil, "cut at \(cut)")
            } else {
                let left = cut - boundaries[complete]
                let unit = left == 1 ? "byte" : "bytes"
                #expect(contents.damage == "torn last record at byte \(boundaries[complete]) (\(left) \(unit) discarded)")
            }
        }
    }

    @Test func aFlippedByteInTheMiddleRecordKeepsOnlyTheFirst() throws {
        let (header, records) = encoded()
        let bytes = header + records.joined()
        let start = header.count + records[0].count
        let left = bytes.count - start
        for offset in start..<start + records[1].count {
            var damaged = bytes
            damaged[offset] ^= 0x20
            let contents = try JournalFormat.decode(damaged)
            #expect(contents.records == [results[0]], "flip at \(offset)")
            #expect(contents.intactLength == start, "flip at \(offset)")
            #expect(contents.damage != nil, "flip at \(offset)")
            if !(start + 4..<start + 8).contains(offset) {
                // A flip in the length may make the record look torn; any other flip fails the checksum.
                #expect(contents.damage == "checksum mismatch in record 1 at byte \(start); \(left) bytes discarded")
            }
        }
    }

    @Test func aDamagedHeaderIsAnError() throws {
        var header = encoded().header
        header[20] ^= 0x01
        #expect(throws: JournalError.damagedHeader(path: "(in memory)", reason: "checksum mismatch")) {
            try JournalFormat.decode(header)
        }
        var version = encoded().header
        version[8] = 9
        #expect(throws: JournalError.unsupportedVersion(path: "(in memory)", found: 9, supported: 1)) {
            try JournalFormat.decode(version)
        }
    }

    @Test func laterDuplicatesAreDroppedAndForeignShardsAreDamage() throws {
        let (header, records) = encoded()
        let again = JournalFormat.record(shard: 3, payload: [1, 2, 3])
        let foreign = JournalFormat.record(shard: 9, payload: [1])
        let contents = try JournalFormat.decode(header + records[0] + again + records[1] + foreign + records[2])
        #expect(contents.records == Array(results.prefix(2)))
        let at = header.count + records[0].count + again.count + records[1].count
        #expect(contents.damage == "record 3 at byte \(at) names shard 9 of 5; \(foreign.count + records[2].count) bytes discarded")
    }

    // MARK: File

    @Test func appendedRecordsAreResumed() throws {
        let statistics = CalibrationStatistics(modelDigest: key, tensorNames: ["conv1", "relu1"]).encoded()
        let created = try ResultJournal.create(path: path, jobKey: key, shardCount: 5)
        #expect(created.wasCreated)
        for result in results {
            try created.append(shard: result.shard, payload: result.payload)
        }
        created.close()

        let (journal, contents) = try ResultJournal.resume(path: path, jobKey: key, shardCount: 5)
        #expect(!journal.wasCreated)
        #expect(contents.records == results)
        #expect(contents.damage == nil)
        #expect(contents.intactLength == (try fileBytes()).count)
        try journal.append(shard: 1, payload: statistics)
        journal.close()

        let (_, again) = try ResultJournal.resume(path: path, jobKey: key, shardCount: 5)
        #expect(again.records == results + [JournalRecord(shard: 1, payload: statistics)])
        #expect(try CalibrationStatistics(decoding: again.records[3].payload) == CalibrationStatistics(decoding: statistics))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["run.journal"])
    }

    @Test func aJournalOfAnotherJobIsRefused() throws {
        try ResultJournal.create(path: path, jobKey: key, shardCount: 5).close()
        let error = #expect(throws: JournalError.otherJob(path: path, found: key, expected: otherKey)) {
            try ResultJournal.resume(path: path, jobKey: otherKey, shardCount: 5)
        }
        let text = error?.description ?? ""
        #expect(text.contains("another job") && text.contains(path) && text.contains("delete it"), "\(text)")
        #expect(text.contains(key.prefix(12)) && text.contains(otherKey.prefix(12)) && !text.contains(key.prefix(13)), "\(text)")
        #expect(throws: JournalError.shardCountMismatch(path: path, found: 5, expected: 6)) {
            try ResultJournal.resume(path: path, jobKey: key, shardCount: 6)
        }
    }

    @Test func createRefusesAnExistingFile() throws {
        let journal = try ResultJournal.create(path: path, jobKey: key, shardCount: 5)
        try journal.append(shard: 2, payload: [9])
        journal.close()
        let before = try fileBytes()
        let error = #expect(throws: JournalError.exists(path: path)) {
            try ResultJournal.create(path: path, jobKey: key, shardCount: 5)
        }
        #expect(error?.description.contains("pass --resume to continue it, or delete it") == true)
        #expect(try fileBytes() == before)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["run.journal"])
    }

    @Test func resumeCutsATornTailAndAppendsAfterTheIntactPart() throws {
        let created = try ResultJournal.create(path: path, jobKey: key, shardCount: 5)
        try created.append(shard: results[0].shard, payload: results[0].payload)
        try created.append(shard: results[1].shard, payload: results[1].payload)
        created.close()
        let whole = try fileBytes()
        try Data(whole.dropLast(5)).write(to: URL(fileURLWithPath: path))

        let (journal, contents) = try ResultJournal.resume(path: path, jobKey: key, shardCount: 5)
        let (header, records) = encoded()
        let intact = header.count + records[0].count
        #expect(contents.records == [results[0]])
        #expect(contents.damage == "torn last record at byte \(intact) (\(records[1].count - 5) bytes discarded)")
        #expect(contents.intactLength == intact)
        #expect(try fileBytes() == Array(whole.prefix(intact)))
        try journal.append(shard: results[2].shard, payload: results[2].payload)
        journal.close()

        let (_, again) = try ResultJournal.resume(path: path, jobKey: key, shardCount: 5)
        #expect(again.records == [results[0], results[2]])
        #expect(again.damage == nil)
    }

    @Test func resumeWithoutAFileStartsANewJournal() throws {
        let (journal, contents) = try ResultJournal.resume(path: path, jobKey: key, shardCount: 5)
        #expect(journal.wasCreated)
        #expect(contents.records.isEmpty && contents.damage == nil)
        #expect(try fileBytes() == encoded().header)
        try journal.append(shard: 0, payload: [5])
        journal.close()
        let (resumed, again) = try ResultJournal.resume(path: path, jobKey: key, shardCount: 5)
        #expect(!resumed.wasCreated)
        #expect(again.records == [JournalRecord(shard: 0, payload: [5])])
    }

    @Test func aFileThatIsNoJournalIsRefused() throws {
        try Data("statistics".utf8).write(to: URL(fileURLWithPath: path))
        let error = #expect(throws: JournalError.notJournal(path: path)) {
            try ResultJournal.resume(path: path, jobKey: key, shardCount: 5)
        }
        #expect(error?.description == "'\(path)' is not a calib result journal (no CALIBJNL magic)")
    }

    @Test func anOpenJournalCannotBeOpenedTwice() throws {
        let journal = try ResultJournal.create(path: path, jobKey: key, shardCount: 5)
        #expect(throws: JournalError.inUse(path: path)) {
            try ResultJournal.resume(path: path, jobKey: key, shardCount: 5)
        }
        journal.close()
        _ = try ResultJournal.resume(path: path, jobKey: key, shardCount: 5)
    }

    @Test func appendAfterCloseOrRemoveIsAClearError() throws {
        let journal = try ResultJournal.create(path: path, jobKey: key, shardCount: 5)
        journal.close()
        let error = #expect(throws: JournalError.closed(path: path)) { try journal.append(shard: 0, payload: [1]) }
        #expect(error?.description == "result journal '\(path)' is closed: nothing more can be appended")

        let removed = try ResultJournal.resume(path: path, jobKey: key, shardCount: 5).journal
        try removed.remove()
        #expect(!FileManager.default.fileExists(atPath: path))
        #expect(throws: JournalError.closed(path: path)) { try removed.append(shard: 0, payload: [1]) }
    }

    /// `/dev/full` fails every write with ENOSPC: a full disk without mounting one.
    @Test(.enabled(if: FileManager.default.isWritableFile(atPath: "/dev/full")))
    func aFullDiskIsNamedInTheError() throws {
        let file = try PosixFile.open("/dev/full", flags: O_WRONLY)
        let journal = ResultJournal(path: "/dev/full", shardCount: 5, file: file, length: 0, wasCreated: false)
        let error = #expect(throws: JournalError.io(path: "/dev/full", operation: "writing shard 2", code: ENOSPC)) {
            try journal.append(shard: 2, payload: [1, 2, 3])
        }
        #expect(error?.description == "result journal '/dev/full': writing shard 2 failed: No space left on device")
    }
}
