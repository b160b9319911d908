import Foundation
import Testing
import Worker

/// The file a worker rewrites on every heartbeat and `calib health` judges by its age.
@Suite struct LivenessFileTests {
    @Test func aRewrittenFileIsFreshAndHoldsTheLastLineOnly() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = LivenessFile(path: folder.url.appendingPathComponent("alive").path)
        try file.touch("calib worker first")
        try file.touch("calib worker second")
        #expect(try String(contentsOfFile: file.path, encoding: .utf8) == "calib worker second\n")
        #expect(try file.age() < 5)
        #expect(!FileManager.default.fileExists(atPath: file.path + ".tmp"), "the scratch file was renamed into place")
    }

    @Test func theAgeCountsFromTheLastRewrite() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = LivenessFile(path: folder.url.appendingPathComponent("alive").path)
        try file.touch("calib worker old")
        let hourAgo = Date().addingTimeInterval(-3600)
        try FileManager.default.setAttributes([.modificationDate: hourAgo], ofItemAtPath: file.path)
        #expect(abs(try file.age() - 3600) < 5)
        try file.touch("calib worker new")
        #expect(try file.age() < 5)
    }

    @Test func onlyAWorkersRegularFileWrittenInThePastCounts() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        #expect(throws: FileError(path: folder.url.path, reason: "is not a regular file")) { try LivenessFile(path: folder.url.path).age() }
        let other = folder.url.appendingPathComponent("other").path
        try Data("something else\n".utf8).write(to: URL(fileURLWithPath: other))
        #expect(throws: FileError(path: other, reason: "does not hold a line written by calib worker")) { try LivenessFile(path: other).age() }
        let file = LivenessFile(path: folder.url.appendingPathComponent("alive").path)
        try file.touch("calib worker pid 1 images 0 shard -")
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(3600)], ofItemAtPath: file.path)
        #expect(throws: FileError.self) { try file.age() }
        file.remove()
        #expect(!FileManager.default.fileExists(atPath: file.path))
        file.remove()
    }

    @Test func aMissingFileOrFolderIsAnErrorNamingThePath() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let missing = folder.url.appendingPathComponent("no-such-folder/alive").path
        #expect(throws: FileError(path: missing, reason: "No such file or directory")) { try LivenessFile(path: missing).age() }
        #expect(throws: FileError(path: missing, reason: "No such file or directory")) {
            try LivenessFile(path: missing).touch("x")
        }
    }
}
