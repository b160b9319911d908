import ArgumentParser
import Coordinator
import Core
import Foundation
import Protocol
import Worker

/// How a coordinator serves a job, shared by `calib coordinator` and `calib run --workers`:
/// shard size, heartbeats, the journal and metrics; it also builds the node from them.
struct ServeOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Images per shard handed to a worker (0: chosen for balance).")
    var shardSize = 0

    @OptionGroup var heartbeat: HeartbeatOptions

    @Option(help: ArgumentHelp(
        "Journal of accepted results, kept until the output is written (default: the output path + .journal).",
        discussion: "The default journal is continued by a run of the same job and replaced, with a log line, by a run of "
            + "another one; a journal named here is continued only with --resume and never replaced."))
    var journal: String?

    @Flag(help: "Continue an interrupted run from its journal, without recomputing the images it holds; an error if the journal is of another job.")
    var resume = false

    @Option(
        parsing: .unconditional,
        help: "Serve Prometheus metrics (/metrics) and a live health page (/) over HTTP on this port, on the coordinator's host (0: a free port).")
    var metricsPort: Int?

    @Option(
        name: .customLong("cpu-isa"),
        help: ArgumentHelp(
            "Limit every worker's OpenVINO to this instruction set (default: the first worker's).",
            discussion: "So the output does not depend on which worker computed which image, workers that lack it are "
                + "refused. Names are oneDNN's (ONEDNN_MAX_CPU_ISA), in any case.",
            valueName: "set"))
    var cpuISA: InstructionSet?

    @Flag(name: .customLong("allow-mixed-isa"), help: "Let each worker use its own instruction set; the summary then says the output depends on which worker computed which image.")
    var allowMixedISA = false

    func validate() throws {
        try OptionRange.require(shardSize >= 0, "--shard-size", "0 (chosen for balance) or more", shardSize)
        if cpuISA != nil, allowMixedISA { throw ValidationError("--cpu-isa and --allow-mixed-isa exclude each other") }
        if let metricsPort, !(0...65535).contains(metricsPort) {
            throw ValidationError("--metrics-port must be between 0 and 65535, not \(metricsPort)")
        }
    }

    /// A coordinator for `job` bound to `endpoint`, with shards sized for `expectedWorkers`.
    func node(
        job: JobOptions, calibration: CalibrationPlan, dataset: CalibrationDataset, endpoint: String, expectedWorkers: Int,
        security: CurveServerKeys? = nil
    ) throws -> CoordinatorNode {
        if let journal {
            try OutputLocation.checkSideFile(
                journal, option: "--journal", kind: "calib result journal", magic: JournalFormat.magic,
                protected: job.protectedFiles + (job.saveStats.map { [($0, "the --save-stats file")] } ?? []))
        }
        let node = try CoordinatorNode(
            run: calibration, dataset: DatasetImages(dataset: dataset), interpolation: job.data.interpolation, channelOrder: job.data.channelOrder,
            reader: job.data.reader, ignoredNames: calibration.ignoredNames, ignoredTypes: calibration.ignoredTypes,
            options: .init(
                endpoint: endpoint,
                shardSize: shardSize > 0 ? shardSize : ShardPlan.defaultSize(imageCount: dataset.count, expectedWorkers: expectedWorkers),
                heartbeatInterval: heartbeat.heartbeatInterval, missedHeartbeats: heartbeat.missedHeartbeats,
                metricsEndpoint: metricsPort.map { Self.endpoint(endpoint, port: $0) },
                journalPath: journal ?? job.implicitJournalPath, journalIsImplicit: journal == nil, resume: resume,
                security: security, idleTimeout: heartbeat.idleTimeout, instructionSet: cpuISA,
                allowMixedInstructionSets: allowMixedISA),
            logger: StandardErrorLog.logger)
        if let metrics = node.metricsEndpoint {
            let address = metrics.dropFirst("tcp://".count)
            StandardErrorLog.logger.info("health page at http://\(address)/, metrics at http://\(address)/metrics")
        }
        return node
    }

    /// `endpoint` (`tcp://host:port`) with another port; `0` asks for a free one.
    static func endpoint(_ endpoint: String, port: Int) -> String {
        let address = endpoint.hasPrefix("tcp://") ? String(endpoint.dropFirst(6)) : endpoint
        let host = address.lastIndex(of: ":").map { String(address[..<$0]) } ?? address
        return "tcp://\(host):\(port == 0 ? "*" : String(port))"
    }
}

/// Heartbeat timing and how long to wait without a peer; coordinator and workers should
/// agree on it.
struct HeartbeatOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Seconds between heartbeats.")
    var heartbeatInterval = 1.0

    @Option(parsing: .unconditional, help: "Heartbeats missed in a row after which the peer is declared dead.")
    var missedHeartbeats = 3

    @Option(parsing: .unconditional, help: "Seconds without a live peer (a coordinator: any worker; a worker: its coordinator) after which the process gives up with an error.")
    var idleTimeout = 600.0

    func validate() throws {
        guard heartbeatInterval > 0, heartbeatInterval <= 3600 else {
            throw ValidationError("--heartbeat-interval must be between 0 and 3600 seconds, not \(heartbeatInterval)")
        }
        try OptionRange.require((1...1000).contains(missedHeartbeats), "--missed-heartbeats", "between 1 and 1000", missedHeartbeats)
        guard idleTimeout > 0, idleTimeout.isFinite else {
            throw ValidationError("--idle-timeout must be a positive number of seconds, not \(idleTimeout)")
        }
    }

    /// The same options for a worker process started by this one.
    var arguments: [String] {
        [
            "--heartbeat-interval", String(heartbeatInterval), "--missed-heartbeats", String(missedHeartbeats),
            "--idle-timeout", String(idleTimeout),
        ]
    }
}

extension InstructionSet: ExpressibleByArgument {
    /// oneDNN's name in any case, e.g. `avx2` or `AVX512_CORE`.
    public init?(argument: String) {
        self.init(rawValue: argument.uppercased())
    }
}
