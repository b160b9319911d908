import Foundation

/// Runs the built `calib` executable as a real process and captures what it prints.
struct CalibProcess {
    struct Outcome {
        let status: Int32
        let standardOutput: String
        let standardError: String
        /// True when the process ended by itself (no crash signal).
        let exitedNormally: Bool
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let executable = packageRoot.appendingPathComponent(".build/debug/calib")

    static func run(_ arguments: [String]) throws -> Outcome {
        guard FileManager.default.isExecutableFile(atPath: executable.path) else {
            throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(executable.path) (run swift build first)"])
        }
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        // Files rather than pipes: a chatty process can never block on a full pipe.
        let folder = try scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let outputURL = folder.appendingPathComponent("stdout")
        let errorURL = folder.appendingPathComponent("stderr")
        FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        process.waitUntilExit()
        let outData = try Data(contentsOf: outputURL)
        let errData = try Data(contentsOf: errorURL)
        return Outcome(
            status: process.terminationStatus, standardOutput: String(decoding: outData, as: UTF8.self),
            standardError: String(decoding: errData, as: UTF8.self),
            exitedNormally: process.terminationReason == .exit)
    }

    static func scratchFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("calib-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
