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

    /// ArgumentParser's own entry point, except that a progress line on the terminal is
    /// ended first, so that an error is not printed on from its end.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var command = command as? AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            StandardErrorLines.shared.endStatus()
            exit(withError: error)
        }
    }
}
