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

    @Option(parsing: .unconditional, help: "OpenVINO inference threads (0: all cores).")
    var threads = 0

    func validate() throws {
        try EndpointOption.require(connect, option: "--connect")
        try OptionRange.threads(threads)
        if noCache, cacheDir != nil { throw ValidationError("--cache-dir and --no-cache exclude each other") }
        if cacheDir?.isEmpty == true { throw ValidationError("--cache-dir must name a folder, not be empty") }
        if let cpus, let refusal = ProcessorAffinity.unavailability(of: try NumberList.cpus(cpus, option: "--cpus")) {
            throw ValidationError("--cpus \(refusal)")
        }
        if livenessFile?.isEmpty == true { throw ValidationError("--liveness-file must name a file, not be empty") }
        try OptionRange.require(drainTimeout >= 0 && drainTimeout <= 3600, "--drain-timeout", "between 0 and 3600 seconds", drainTimeout)
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

    @Option(parsing: .unconditional, help: .hidden)
    var parentPid: Int32?

    @Option(help: ArgumentHelp(
        "Run only on these CPUs (e.g. 0-3 or 0,2): for several workers on one machine, a group each (calib run --workers does this).",
        discussion: "OpenVINO pins its threads inside the set. Without separate sets, workers on one machine pin themselves to "
            + "the same CPUs and share them.",
        valueName: "list"))
    var cpus: String?

    @Option(help: ArgumentHelp(
        "A file rewritten on every heartbeat, for a container's health check (calib health --file PATH).",
        valueName: "path"))
    var livenessFile: String?

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Seconds a worker stopped by SIGTERM or SIGINT waits for its current shard before it gives it back.",
        discussion: "On either signal the worker takes no more shards, finishes its shard within this time or hands it back, "
            + "says goodbye to the coordinator and exits 0; a second signal ends it at once."))
    var drainTimeout = 5.0

    func run() throws {
        // Several workers may share one terminal or log file (calib run --workers).
        var logger = StandardErrorLog.logger
        logger[metadataKey: "pid"] = "\(getpid())"
        if let cpus {
            let set = try NumberList.cpus(cpus, option: "--cpus")
            do {
                try ProcessorAffinity.restrict(to: set)
            } catch let refused as ProcessorAffinity.RefusedSet {
                throw CommandFailure("--cpus: \(refused)")
            }
            logger.notice("running on CPU\(set.count == 1 ? "" : "s") \(ProcessorAffinity.describe(set)) only (worker --cpus)")
        }
        let liveness = livenessFile.map(LivenessFile.init(path:))
        if let liveness {
            do {
                try liveness.touch("calib worker pid \(getpid()) starting")
            } catch {
                throw CommandFailure("--liveness-file cannot be written: \(error)")
            }
        }
        let node = try WorkerNode(
            options: .init(
                endpoint: connect, threads: threads, heartbeatInterval: heartbeat.heartbeatInterval,
                missedHeartbeats: heartbeat.missedHeartbeats, security: try keys.keys(), idleTimeout: heartbeat.idleTimeout,
                parentPID: parentPid, cache: noCache ? nil : ModelCache(directory: cacheDir ?? ModelCache.defaultDirectory),
                stopRequest: StopRequest(), drainTimeout: drainTimeout, livenessFile: liveness),
            logger: logger)
        // However the worker ends, its health check must stop saying it is alive.
        defer { liveness?.remove() }
        try node.run()
    }
}
