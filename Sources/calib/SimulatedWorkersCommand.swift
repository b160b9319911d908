import ArgumentParser
import Coordinator
import Core
import Foundation

/// `calib simulated-workers` (hidden): the workers `calib benchmark-coordinator` measures
/// its coordinator against, in a process of their own so that the coordinator's CPU and
/// memory figures are its own.
struct SimulatedWorkersCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulated-workers",
        abstract: "Simulated workers for benchmark-coordinator.",
        shouldDisplay: false
    )

    @Option(help: "The coordinator's endpoint.")
    var connect: String

    @OptionGroup var load: SimulatedLoad

    @Flag(help: "Pretend the model is cached: no model transfer.")
    var modelCached = false

    func run() throws {
        let calibration = try CalibrationPlan(graph: SSDResNet34(resolution: load.resolution).makeGraph())
        let plan = ShardPlan(imageCount: load.images, size: load.shardSize)
        let results = CoordinatorBenchmarkCommand.results(plan: plan, calibration: calibration, samples: load.samplesPerTensor)
        let simulation = try SimulatedWorkers(
            count: load.workers, endpoint: connect, secondsPerImage: load.secondsPerImage, heartbeatInterval: 1,
            results: results, modelCached: modelCached)
        try simulation.run(timeout: 3600)
    }
}
