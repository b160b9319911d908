import ArgumentParser
import Foundation
import Worker

/// `calib health`: a container health check for a worker: succeeds while the worker's
/// liveness file (`calib worker --liveness-file PATH`) was rewritten within the last
/// `--max-age` seconds, fails with one line saying why otherwise.
struct HealthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health",
        abstract: "Check that a worker's liveness file is fresh (exit 0) or say why it is not (exit 1).",
        discussion: "A coordinator is checked with `calib status --connect ENDPOINT` instead."
    )

    @Option(help: ArgumentHelp("The worker's --liveness-file.", valueName: "path"))
    var file: String

    @Option(parsing: .unconditional, help: "Seconds since the file's last rewrite after which the worker counts as stuck or gone.")
    var maxAge = 30.0

    func validate() throws {
        try OptionRange.require(maxAge > 0 && maxAge <= 86_400, "--max-age", "above 0 and at most 86400 seconds", maxAge)
    }

    func run() throws {
        let age: Double
        do {
            age = try LivenessFile(path: file).age()
        } catch {
            throw CommandFailure("no liveness file: \(error) (is a worker running with --liveness-file \(file)?)")
        }
        guard age <= maxAge else {
            throw CommandFailure("\(file) was last rewritten \(String(format: "%.1f", age)) s ago, more than --max-age \(maxAge) s: the worker is stuck or gone")
        }
        print("healthy: \(file) rewritten \(String(format: "%.1f", age)) s ago")
    }
}
