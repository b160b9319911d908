import Foundation
import Protocol
import Testing

/// The `calib` executable end to end, as a user runs it: real files, real process.
@Suite(.serialized) struct CommandLineTests {
    let folder: URL
    let model: String
    let images: String

    init() throws {
        folder = try CalibProcess.scratchFolder()
        model = folder.appendingPathComponent("ssd300.xml").path
        images = folder.appendingPathComponent("images").path
    }

    private func makeExample(images count: Int = 3) throws {
        let made = try CalibProcess.run(["example-model", "--resolution", "300", "--output", model])
        try #require(made.status == 0, "\(made.standardError)")
        #expect(made.standardOutput.contains("8732 default boxes"))
        #expect(made.standardOutput.contains("20.0 M parameters"))
        let list = folder.appendingPathComponent("cali.txt").path
        try "000000391895.jpg\n000000522418.jpg\n000000184613.jpg\n".write(toFile: list, atomically: true, encoding: .utf8)
        let written = try CalibProcess.run(["example-images", "--count", String(count), "--names", list, "--output", images])
        try #require(written.status == 0, "\(written.standardError)")
    }

    @Test func exampleModelImagesAndInferenceRunEndToEnd() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeExample()
        #expect(FileManager.default.fileExists(atPath: images + "/000000522418.jpg"))
        let run = try CalibProcess.run(["infer", "--model", model, "--data", images, "--threads", "2", "--activations"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("3 images"))
        #expect(run.standardOutput.contains("output bboxes [1,"))
        #expect(run.standardOutput.contains("backbone.layer3.5.relu"))
        #expect(run.standardOutput.contains(", f32"))
    }

    /// `calib` with `arguments` and `CALIB_LOG_LEVEL` set to `level`, to the end.
    private func run(_ arguments: [String], logLevel level: String) throws -> CalibProcess.Outcome {
        var environment = ProcessInfo.processInfo.environment
        environment["CALIB_LOG_LEVEL"] = level
        return try CalibProcess.Running(program: CalibProcess.executable, arguments: arguments, environment: environment).wait(timeout: 120)
    }

    @Test func theLogLevelComesFromTheFlagOrTheEnvironment() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeExample()
        let bad = try CalibProcess.run(["worker", "--connect", "tcp://127.0.0.1:1", "--log-level", "loud"])
        #expect(bad.status != 0 && bad.standardError.contains("--log-level 'loud' is not a log level: use trace, debug"), "\(bad.standardError)")
        let badEnvironment = try run(["worker", "--connect", "tcp://127.0.0.1:1"], logLevel: "shouting")
        #expect(badEnvironment.status != 0 && badEnvironment.standardError.contains("CALIB_LOG_LEVEL 'shouting' is not a log level"))

        // A coordinator nobody joins logs at info and warning level, then stops with an error.
        let lonely = ["coordinator", "--bind", "tcp://127.0.0.1:0", "--model", model, "--data", images, "--output",
                      folder.appendingPathComponent("q.xml").path, "--insecure", "--idle-timeout", "1"]
        let chatty = try run(lonely, logLevel: "")
        #expect(chatty.standardError.contains(" info calib:") && chatty.standardError.contains(" warning calib:"), "\(chatty.standardError)")
        let quiet = try run(lonely, logLevel: "ERROR")
        #expect(!quiet.standardError.contains(" info calib:") && !quiet.standardError.contains(" warning calib:"), "\(quiet.standardError)")
        #expect(quiet.standardError.contains("no live worker for 1 s"))
        // The flag wins over the environment.
        let flagged = try run(lonely + ["--log-level", "info"], logLevel: "error")
        #expect(flagged.standardError.contains(" info calib:"), "\(flagged.standardError)")
        // Standard error is not a terminal here: no escape codes from the progress bar.
        #expect(!chatty.standardError.contains("\u{1B}"))
    }

    @Test func aCoordinatorThatCannotBindLeavesNoJournal() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeExample()
        // Something else holds the port.
        let context = try ZMQContext()
        let holder = try ZMQSocket(context: context, kind: .stream)
        defer { holder.close() }
        try holder.bind("tcp://127.0.0.1:*")
        let port = try #require(try holder.lastEndpoint.split(separator: ":").last.map(String.init))
        let output = folder.appendingPathComponent("q.xml").path
        let common = ["coordinator", "--model", model, "--data", images, "--output", output, "--insecure"]
        let metrics = try CalibProcess.run(common + ["--bind", try CoordinatorProbe.freeEndpoint(), "--metrics-port", port])
        #expect(metrics.status != 0 && metrics.standardError.contains("cannot serve metrics"), "\(metrics.standardError)")
        let endpoint = try CalibProcess.run(common + ["--bind", "tcp://127.0.0.1:\(port)"])
        #expect(endpoint.status != 0, "\(endpoint.standardError)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("q.") }.isEmpty)
    }

    @Test func listEntriesMissingFromTheFolderAreOneError() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeExample()
        let list = folder.appendingPathComponent("wanted.txt").path
        try "000000391895.jpg\nmissing_a.jpg\nmissing_b.jpg\n".write(toFile: list, atomically: true, encoding: .utf8)
        let run = try CalibProcess.run(["infer", "--model", model, "--data", images, "--list", list])
        #expect(run.exitedNormally && run.status != 0)
        let lines = run.standardError.split(separator: "\n").filter { $0.contains("missing_a.jpg") }
        #expect(lines.count == 1)
        #expect(lines.first?.contains("missing_b.jpg") == true)
    }

    @Test func aSubsetLargerThanTheImagesUsesThemAllAndSaysSo() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeExample(images: 2)
        let run = try CalibProcess.run(["infer", "--model", model, "--data", images, "--subset", "5"])
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.contains("--subset 5 is more than the 2 images there are: all 2 are used"), "\(run.standardError)")
    }

    @Test func anImageFolderThatCannotBeMadeSaysWhyInTheSystemsWords() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let file = folder.appendingPathComponent("plain.txt").path
        try "x".write(toFile: file, atomically: true, encoding: .utf8)
        let run = try CalibProcess.run(["example-images", "--count", "1", "--output", file + "/images"])
        #expect(run.exitedNormally && run.status != 0)
        #expect(run.standardError.contains("cannot write '\(file)/images': Not a directory"), "\(run.standardError)")
    }

    @Test func aCorruptImageMidRunNamesTheFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeExample()
        let victim = images + "/000000184613.jpg"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: victim))
        let run = try CalibProcess.run(["infer", "--model", model, "--data", images])
        #expect(run.exitedNormally && run.status != 0)
        #expect(run.standardError.contains("000000184613.jpg"))
    }

    @Test func aCorruptModelIsAClearErrorNamingTheFile() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        try makeExample(images: 1)
        // Weights cut short: the last Consts point past the end of the .bin.
        let bin = URL(fileURLWithPath: folder.appendingPathComponent("ssd300.bin").path)
        let weights = try Data(contentsOf: bin)
        try weights.prefix(weights.count - 1000).write(to: bin)
        let run = try CalibProcess.run(["infer", "--model", model, "--data", images])
        #expect(run.exitedNormally && run.status != 0)
        #expect(run.standardError.contains("ssd300.xml"))
        #expect(run.standardError.contains("outside"))
        // Not XML at all.
        try "not an IR".write(toFile: model, atomically: true, encoding: .utf8)
        let garbage = try CalibProcess.run(["infer", "--model", model, "--data", images])
        #expect(garbage.exitedNormally && garbage.status != 0)
        #expect(garbage.standardError.contains("malformed IR XML"))
    }

    @Test func writingIntoAMissingFolderLeavesNothingBehind() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let target = folder.appendingPathComponent("no/such/dir/model.xml").path
        let run = try CalibProcess.run(["example-model", "--resolution", "300", "--output", target])
        #expect(run.exitedNormally && run.status != 0)
        #expect(run.standardError.contains("model.bin") || run.standardError.contains("model.xml"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path).isEmpty)
    }

    /// A Z85 key may start with '-': --server-key takes it as its value, not as an unknown flag.
    @Test func aServerKeyStartingWithADashIsTheOptionsValue() throws {
        let key = "-" + String(repeating: "0", count: 39)
        let run = try CalibProcess.run(
            ["status", "--connect", "tcp://127.0.0.1:1", "--secret-key", "missing-calib-test.key", "--server-key", key], timeout: 30)
        #expect(!run.standardError.contains("Missing value"), "\(run.standardError)")
        // The missing file is named with the option that gave it.
        #expect(run.standardError.contains("Error: --secret-key: open missing-calib-test.key failed"), "\(run.standardError)")
    }

    @Test func numbersOutOfRangeAndOptionsThatDoNotApplyAreRefusedBeforeAnyWork() throws {
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [([String], String)] = [
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--workers=-1"],
                "--workers must be between 0 (this process) and \(8 * ProcessInfo.processInfo.activeProcessorCount) (8 per core of this machine), not -1"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--threads=-2"],
                "--threads must be between 0 (all cores) and 1024, not -2"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--workers", "1000000"],
                "--workers must be between 0 (this process) and \(8 * ProcessInfo.processInfo.activeProcessorCount) (8 per core of this machine), not 1000000"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--subset", "0"], "--subset must be at least 1, not 0"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--shard-size=-1"],
                "--shard-size must be 0 (chosen for balance) or more, not -1"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--outlier-probability", "0.5"],
                "--outlier-probability must be at least 0 and below 0.5, not 0.5"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--outlier-probability", "0.01", "--method", "kl"],
                "--outlier-probability goes with --method quantile, not kl"),
            (["run", "--model", "m.xml", "--load-stats", "s.bin", "--output", "q.xml", "--subset", "2"],
                "--subset cannot be given with --load-stats: no image is read, the statistics file is used whole"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--idle-timeout", "0"],
                "--idle-timeout must be a positive number of seconds, not 0.0"),
            (["worker", "--connect", "tcp://127.0.0.1:1", "--threads=-1"], "--threads must be between 0 (all cores) and 1024, not -1"),
            (["status", "--connect", "tcp://127.0.0.1:1", "--timeout", "1e300"], "--timeout must be between 0 and 86400 seconds"),
            (["example-images", "--count", "0", "--output", "x"], "--count must be at least 1, not 0"),
            (["benchmark-coordinator", "--shard-size", "0"], "--shard-size must be at least 1, not 0"),
            (["benchmark-coordinator", "--samples-per-tensor", "100000000"],
                "--samples-per-tensor must be between 1 and 1000000, not 100000000"),
            (["benchmark-coordinator", "--workers", "100000"], "--workers must be between 1 and 4096, not 100000"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--cpu-isa", "avx2"],
                "--cpu-isa and --allow-mixed-isa limit worker processes: use them with --workers"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--workers", "2", "--cpu-isa", "avx2", "--allow-mixed-isa"],
                "--cpu-isa and --allow-mixed-isa exclude each other"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--cache-dir", "c"],
                "--cache-dir is where local workers keep models: use it with --workers"),
            (["worker", "--connect", "tcp://127.0.0.1:1", "--cpus", "1-a"], "--cpus takes CPU numbers and ranges such as 0-3,8, not '1-a'"),
            (["run", "--model", "m.bin", "--data", "d", "--output", "q.xml"], "--model takes the IR's .xml, not 'm.bin' (the .bin is read next to it)"),
            (["run", "--model", "m.onnx", "--data", "d", "--output", "q.xml"], "--model takes the IR's .xml, not 'm.onnx' (convert it first: calib convert)"),
            (["worker", "--connect", "localhost:5555"], "--connect takes a ZeroMQ endpoint such as tcp://HOST:5555, not 'localhost:5555'"),
            (["status", "--connect", "tcp://127.0.0.1"], "--connect takes a ZeroMQ endpoint such as tcp://HOST:5555, not 'tcp://127.0.0.1'"),
            (["worker", "--connect", "tcp://127.0.0.1:99999"], "--connect tcp://127.0.0.1:99999: the port must be 1 to 65535"),
            (["worker", "--connect", "tcp://127.0.0.1:1", "--cpus", ","], "--cpus takes CPU numbers and ranges such as 0-3,8, not ','"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--input-shape", "1,,3"],
                "The value '1,,3' is invalid for '--input-shape <N,C,H,W>': --input-shape takes positive integers separated by commas, not '1,,3'"),
            (["worker", "--connect", "tcp://127.0.0.1:1", "--cpus", "4000"],
                "--cpus 4000: not available to this process, which may run on CPUs"),
            (["worker", "--connect", "tcp://127.0.0.1:1", "--cache-dir", ""], "--cache-dir must name a folder, not be empty"),
            // A negative number after a space is the option's value, not an unknown flag.
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--workers", "-1"],
                "--workers must be between 0 (this process) and \(8 * ProcessInfo.processInfo.activeProcessorCount) (8 per core of this machine), not -1"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--subset", "-2"], "--subset must be at least 1, not -2"),
            (["worker", "--connect", "tcp://127.0.0.1:1", "--threads", "-1"], "--threads must be between 0 (all cores) and 1024, not -1"),
            (["example-images", "--count", "-3", "--output", "x"], "--count must be at least 1, not -3"),
            (["example-model", "--resolution", "-300", "--output", "x.xml"], "--resolution must be at least 257, not -300"),
            (["example-model", "--resolution", "240", "--output", "x.xml"], "--resolution must be at least 257, not 240"),
            (["run", "--model", "m.xml", "--data", "d", "--output", "q.xml", "--input-shape", "-1,3,300,300"],
                "The value '-1,3,300,300' is invalid for '--input-shape <N,C,H,W>': --input-shape takes positive integers separated by commas, not '-1,3,300,300'"),
            (["worker", "--connect", "tcp://127.0.0.1:1", "--cache-dir", "x", "--no-cache"], "--cache-dir and --no-cache exclude each other"),
        ]
        for (arguments, message) in cases {
            let run = try CalibProcess.run(arguments, timeout: 30)
            #expect(run.exitedNormally && run.status == 64, "\(arguments)")
            #expect(run.standardError.contains("Error: \(message)"), "\(arguments): \(run.standardError)")
        }
    }
}
