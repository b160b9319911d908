import ArgumentParser
import Coordinator
import Core
import Foundation

/// `calib coordinator`: bind, hand the job's shards to whatever workers join, and write
/// the int8 IR when every image is in.
struct CoordinatorCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "coordinator",
        abstract: "Serve a calibration job to workers over ZeroMQ and write the int8 IR."
    )

    @OptionGroup var job: JobOptions

    @Option(help: "Endpoint to bind, e.g. tcp://127.0.0.1:5555.")
    var bind = "tcp://127.0.0.1:5555"

    @Flag(help: "Allow binding beyond loopback without encryption (CURVE is not implemented yet).")
    var insecure = false

    @OptionGroup var serve: ServeOptions

    func validate() throws {
        let host = bind.split(separator: "/").last?.split(separator: ":").first.map(String.init) ?? ""
        guard insecure || ["127.0.0.1", "localhost", "[::1]", "::1"].contains(host) || bind.hasPrefix("ipc://") || bind.hasPrefix("inproc://")
        else {
            throw ValidationError("binding \(bind) would expose an unencrypted coordinator; bind to loopback or pass --insecure")
        }
    }

    func run() throws {
        let started = Date()
        let calibration = try job.calibration()
        let dataset = try job.data.dataset()
        let node = try serve.node(job: job, calibration: calibration, dataset: dataset, endpoint: bind, expectedWorkers: 4)
        Console.logger.info("coordinator listening on \(node.boundEndpoint), \(dataset.count) images")
        var bar = ProgressBar(total: dataset.count, label: "statistics")
        let statistics = try node.serve { bar.update(done: $0.imagesDone, extra: "\($0.liveWorkers) workers") }
        try job.finish(calibration, statistics: statistics, started: started)
        try node.removeJournal()
    }
}
