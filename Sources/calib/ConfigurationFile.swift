import Core
import Foundation
import Worker

/// Reads the POT configuration file `-c` names, for `run`, `coordinator` and `eval`.
enum ConfigurationFile {
    /// The configuration at `path`. Throws `CommandFailure` naming the file when it cannot
    /// be read or used, or when its weights are not the `.bin` next to its model (calib
    /// reads that one).
    static func read(_ path: String) throws -> POTConfiguration {
        let settings: POTConfiguration
        do {
            settings = try POTConfiguration(text: String(decoding: AtomicFile.read(path), as: UTF8.self))
        } catch let error as POTConfigurationError {
            throw CommandFailure("\(path): \(error)")
        }
        let expected = IRFiles.weightsPath(for: settings.model)
        guard URL(fileURLWithPath: settings.weights).standardizedFileURL == URL(fileURLWithPath: expected).standardizedFileURL else {
            throw CommandFailure(
                "\(path): model.weights \(settings.weights) is not the .bin of model.model \(settings.model) (calib reads \(expected))")
        }
        return settings
    }
}
