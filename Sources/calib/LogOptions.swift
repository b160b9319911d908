import ArgumentParser
import Foundation

/// `--log-level` for the long-running commands (coordinator, worker, run), whose logs
/// people read in terminals, files and container log collectors.
struct LogOptions: ParsableArguments {
    @Option(
        help: ArgumentHelp(
            "Least severe log lines shown: trace, debug, info, notice, warning, error or critical.",
            discussion: "Default: $\(StandardErrorLog.environmentVariable), else info.", valueName: "level"))
    var logLevel: String?

    func validate() throws {
        do {
            StandardErrorLog.level = try StandardErrorLog.resolvedLevel(flag: logLevel, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(error.description)
        }
    }
}
