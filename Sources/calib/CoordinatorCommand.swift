import ArgumentParser
import Coordinator
import Core
import Foundation
import Protocol

/// `calib coordinator`: bind, hand the job's shards to whatever workers join, and write
/// the int8 IR when every image is in.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Serve a calibration job to workers over ZeroMQ and write the int8 IR."
    )

    @OptionGroup(title: "Calibration") var job: JobOptions

    @Option(help: "Endpoint to bind, e.g. tcp://127.0.0.1:5555.")
    var bind = "tcp://127.0.0.1:5555"

    @Flag(help: "Allow binding beyond loopback without encryption and authentication.")
    var insecure = false

    @Option(help: ArgumentHelp("The coordinator's key-pair file (from calib keygen): encrypt with CURVE.", valueName: "path"))
    var secretKey: String?

    @Option(help: ArgumentHelp("File of worker public keys to admit, one per line (with --secret-key).", valueName: "path"))
    var authorizedKeys: String?

    @OptionGroup var serve: ServeOptions

    @OptionGroup(title: "Logging") var logging: LogOptions

    func validate() throws {
        try EndpointOption.require(bind, option: "--bind")
        guard (secretKey == nil) == (authorizedKeys == nil) else {
            throw ValidationError("--secret-key and --authorized-keys go together: a CURVE coordinator must know whom to admit")
        }
        if secretKey != nil { return }
        guard insecure || ZMQEndpoint(bind).isLoopback else {
            throw ValidationError("binding \(bind) would expose an unencrypted coordinator; bind to loopback or pass --insecure")
        }
    }

    /// The CURVE keys, or nil for a plain socket.
    private func security() throws -> CurveServerKeys? {
        guard let secretKey, let authorizedKeys else { return nil }
        return CurveServerKeys(
            keyPair: try CommandFailure.reading("--secret-key") { try CurveKeyFile.read(path: secretKey) },
            authorized: try CommandFailure.reading("--authorized-keys") { try AuthorizedKeys.read(path: authorizedKeys) })
    }

    func run() throws {
        let started = Date()
        try self.job.withResolvedJob { job, settings in
            try job.checkOutputs()
            let calibration = try job.calibration(configuration: settings)
            let dataset = try job.data.dataset()
            let node = try serve.node(
                job: job, calibration: calibration, dataset: dataset, endpoint: bind, expectedWorkers: 4, security: try security())
            StandardErrorLog.logger.info("coordinator listening on \(node.boundEndpoint), \(dataset.count) images")
            let bar = ProgressBar(total: dataset.count, label: "statistics", resumed: node.imagesResumed)
            let statistics = try node.serve { bar.update(done: $0.imagesDone, extra: "\($0.liveWorkers) worker\($0.liveWorkers == 1 ? "" : "s")") }
            try job.finish(calibration, statistics: statistics, started: started, cluster: node.clusterStatus, timeline: node.timeline)
            try node.removeJournal()
        }
    }
}
