import Foundation

/// Runs the built `calib` executable as a real process and captures what it prints.
struct CalibProcess {
    /// The `XDG_CACHE_HOME` of every process the tests start: one folder per machine,
    /// shared by test runs, so models are cached as for a user but not in the user's cache.
    static let testCache = FileManager.default.temporaryDirectory.appendingPathComponent("calib-test-cache")

    struct Outcome {
        let status: Int32
        let standardOutput: String
        let standardError: String
        /// True when the process ended by itself (no crash signal).
        let exitedNormally: Bool
    }

    /// A started process whose output goes to files (a chatty process can never block on
    /// a full pipe), read when it ends or while it runs.
    final class Running {
        let process: Process
        private let folder: URL

        /// Starts `calib arguments`, or `launcher... calib arguments` when a launcher
        /// (say `ip netns exec NAME`) is given.
        convenience init(_ arguments: [String], launcher: [String] = []) throws {
            guard FileManager.default.isExecutableFile(atPath: executable.path) else {
                throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "\(executable.path) (run swift build first)"])
            }
            if let program = launcher.first {
                try self.init(
                    program: URL(fileURLWithPath: program), arguments: Array(launcher.dropFirst()) + [executable.path] + arguments)
            } else {
                try self.init(program: executable, arguments: arguments)
            }
        }

        /// Starts `program arguments` in `directory` (nil: this process's) with `environment`
        /// (nil: this process's).
        init(program: URL, arguments: [String], directory: URL? = nil, environment: [String: String]? = nil) throws {
            folder = try scratchFolder()
            process = Process()
            process.executableURL = program
            process.arguments = arguments
            if let directory { process.currentDirectoryURL = directory }
            // Workers keep received models in a cache of the tests' own, not the user's.
            var inherited = environment ?? ProcessInfo.processInfo.environment
            if environment?["XDG_CACHE_HOME"] == nil { inherited["XDG_CACHE_HOME"] = CalibProcess.testCache.path }
            process.environment = inherited
            for name in ["stdout", "stderr"] {
                _ = FileManager.default.createFile(atPath: folder.appendingPathComponent(name).path, contents: nil)
            }
            process.standardOutput = try FileHandle(forWritingTo: folder.appendingPathComponent("stdout"))
            process.standardError = try FileHandle(forWritingTo: folder.appendingPathComponent("stderr"))
            try process.run()
        }

        deinit {
            terminateIfRunning()
            try? FileManager.default.removeItem(at: folder)
        }

        var standardError: String { read("stderr") }

        /// The process has ended: what it printed.
        private func outcome() -> Outcome {
            process.waitUntilExit()
            return Outcome(
                status: process.terminationStatus, standardOutput: read("stdout"), standardError: read("stderr"),
                exitedNormally: process.terminationReason == .exit)
        }

        /// Waits at most `timeout` seconds for the process to end and returns what it
        /// printed; a process still running then is killed and reported as an error, so a
        /// hang fails the test instead of stalling CI.
        func wait(timeout: Double = 600) throws -> Outcome {
            let deadline = Date().addingTimeInterval(timeout)
            while process.isRunning, Date() < deadline {
                Thread.sleep(forTimeInterval: 0.05)
            }
            guard !process.isRunning else {
                terminateIfRunning()
                throw CocoaError(
                    .executableLoad, userInfo: [NSLocalizedDescriptionKey: "still running after \(timeout) s: \(standardError)"])
            }
            return outcome()
        }

        /// Waits until standard error contains `text`; throws after `timeout` seconds.
        func waitForStandardError(containing text: String, timeout: Double) throws {
            let deadline = Date().addingTimeInterval(timeout)
            while !standardError.contains(text) {
                guard Date() < deadline, process.isRunning else {
                    throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "never printed '\(text)': \(standardError)"])
                }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }

        func terminateIfRunning() {
            if process.isRunning {
                process.terminate()
                process.waitUntilExit()
            }
        }

        private func read(_ name: String) -> String {
            String(decoding: (try? Data(contentsOf: folder.appendingPathComponent(name))) ?? Data(), as: UTF8.self)
        }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let executable = packageRoot.appendingPathComponent(".build/debug/calib")

    /// Starts `calib` with `arguments` and returns at once.
    static func start(_ arguments: [String], launcher: [String] = []) throws -> Running {
        try Running(arguments, launcher: launcher)
    }

    /// Runs `calib` with `arguments` to the end, failing if it has not ended after
    /// `timeout` seconds.
    static func run(_ arguments: [String], timeout: Double = 600) throws -> Outcome {
        try start(arguments).wait(timeout: timeout)
    }

    static func scratchFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("calib-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}
