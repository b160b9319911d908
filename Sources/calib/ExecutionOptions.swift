import ArgumentParser
import Foundation
import Worker

/// Where `calib run` computes: in its own process with OpenVINO's threads, or in local
/// worker processes that split the cores and keep models in a cache folder.
struct ExecutionOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "OpenVINO inference threads in total (0: all cores); with --workers, split evenly between them, at least 1 each.")
    var threads = 0

    @Option(parsing: .unconditional, help: ArgumentHelp(
        "Local worker processes (0: calibrate in this process), each on a group of this machine's CPUs of its own.",
        discussion: "With more workers than CPUs, workers share CPUs (a notice says so)."))
    var workers = 0

    @Option(help: ArgumentHelp(
        "With --workers: the folder the local workers keep received and compiled models in (as `calib worker --cache-dir`).",
        discussion: "Default: \(ModelCache.defaultDirectory) ($XDG_CACHE_HOME/calib or ~/.cache/calib).",
        valueName: "dir"))
    var cacheDir: String?

    func validate() throws {
        let most = 8 * ProcessInfo.processInfo.activeProcessorCount
        try OptionRange.require(
            (0...most).contains(workers), "--workers", "between 0 (this process) and \(most) (8 per core of this machine)", workers)
        try OptionRange.threads(threads)
        guard workers > 0 || cacheDir == nil else {
            throw ValidationError("--cache-dir is where local workers keep models: use it with --workers")
        }
        if cacheDir?.isEmpty == true { throw ValidationError("--cache-dir must name a folder, not be empty") }
    }
}
