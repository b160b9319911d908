import ArgumentParser
import Foundation
import Worker

/// `calib worker`: serve a coordinator: run the shards it sends, return their statistics.
struct WorkerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Join a coordinator and compute activation statistics for it."
    )

    @Option(help: "The coordinator's endpoint, e.g. tcp://host:5555.")
    var connect: String

    @Option(help: "OpenVINO inference threads (0: all cores).")
    var threads = 0

    func validate() throws {
        try OptionRange.threads(threads)
        if noCache, cacheDir != nil { throw ValidationError("--cache-dir and --no-cache exclude each other") }
        if cacheDir?.isEmpty == true { throw ValidationError("--cache-dir must name a folder, not be empty") }
    }

    @OptionGroup var heartbeat: HeartbeatOptions

    @OptionGroup(title: "Encryption") var keys: ClientKeyOptions

    @OptionGroup(title: "Logging") var logging: LogOptions

    @Option(help: ArgumentHelp(
        "Folder where received models are kept by digest, with OpenVINO's compiled models, so a restarted worker or a later job on the same model downloads and compiles nothing.",
        discussion: "Default: \(ModelCache.defaultDirectory) ($XDG_CACHE_HOME/calib or ~/.cache/calib). Every entry is checked "
            + "against its SHA-256 before use; a damaged one is fetched or compiled again. A folder that cannot be used is "
            + "reported and the worker goes on without it.",
        valueName: "dir"))
    var cacheDir: String?

    @Flag(help: "Keep received models in memory only and compile them every time.")
    var noCache = false

    @Option(help: .hidden)
    var parentPid: Int32?

    func run() throws {
        let node = try WorkerNode(
            options: .init(
                endpoint: connect, threads: threads, heartbeatInterval: heartbeat.heartbeatInterval,
                missedHeartbeats: heartbeat.missedHeartbeats, security: try keys.keys(), idleTimeout: heartbeat.idleTimeout,
                parentPID: parentPid, cache: noCache ? nil : ModelCache(directory: cacheDir ?? ModelCache.defaultDirectory)),
            logger: StandardErrorLog.logger)
        try node.run()
    }
}
