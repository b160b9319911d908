import ArgumentParser

/// The `calib` command line: one subcommand per job.
@main
struct Calib: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "calib",
        abstract: "Distributed INT8 post-training calibration for OpenVINO.",
        subcommands: [
            RunCommand.self, CoordinatorCommand.self, WorkerCommand.self, StatusCommand.self, HealthCommand.self, KeygenCommand.self, BenchmarkCommand.self,
            CoordinatorBenchmarkCommand.self, SimulatedWorkersCommand.self, ExampleModelCommand.self, ExampleImagesCommand.self, InferCommand.self,
            EvalCommand.self, ConvertCommand.self, PrepareCommand.self,
        ]
    )
}
