import Foundation
import Testing
import Worker

/// The file a worker rewrites on every heartbeat and `calib health` judges by its age.
@Suite struct LivenessFileTests {
    @Test func aRewrittenFileIsFreshAndHoldsTheLastLineOnly() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = LivenessFile(path: folder.url.appendingPathComponent("alive").path)
        try file.touch("first")
        try file.touch("second")
        #expect(try String(contentsOfFile: file.path, encoding: .utf8) == "second\n")
        #expect(try file.age() < 5)
        #expect(!FileManager.default.fileExists(atPath: file.path + ".tmp"), "the scratch file was renamed into place")
    }

    @Test func theAgeCountsFromTheLastRewrite() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let file = LivenessFile(path: folder.url.appendingPathComponent("alive").path)
        try file.touch("old")
        let hourAgo = Date().addingTimeInterval(-3600)
        try FileManager.default.setAttributes([.modificationDate: hourAgo], ofItemAtPath: file.path)
        #expect(abs(try file.age() - 3600) < 5)
        try file.touch("new")
        #expect(try file.age() < 5)
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
