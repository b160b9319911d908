import Foundation
import Logging

/// The command line's logger: one line per event on standard error, so standard output
/// stays the result (summary, tables). Its level is `--log-level` where a command has it,
/// else `CALIB_LOG_LEVEL`, else info; it is fixed when the logger is first used. calib
/// logs at info and above (notice, warning, error); debug and trace show nothing more.
enum StandardErrorLog {
    /// The environment variable that sets the level for every command.
    static let environmentVariable = "CALIB_LOG_LEVEL"

    /// Set by `LogOptions.validate()`, before the logger's first use.
    nonisolated(unsafe) static var level: Logger.Level?

    static let logger: Logger = {
        // Commands without --log-level (whose validation refuses a bad value) say so here.
        var problem: LogLevelError?
        let chosen: Logger.Level
        if let level {
            chosen = level
        } else {
            do throws(LogLevelError) {
                chosen = try resolvedLevel(flag: nil, environment: ProcessInfo.processInfo.environment)
            } catch {
                problem = error
                chosen = .info
            }
        }
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler(label: label, stream: StandardErrorStream())
            handler.logLevel = chosen
            return handler
        }
        let logger = Logger(label: "calib")
        if let problem { logger.warning("\(problem); logging at info") }
        return logger
    }()

    /// The level asked for by `flag`, else by `environment`'s `CALIB_LOG_LEVEL`, else info.
    /// - Throws: `ValidationError`-style `LogLevelError` naming the source of a value that
    ///   is not one of swift-log's levels (trace, debug, info, notice, warning, error, critical).
    static func resolvedLevel(flag: String?, environment: [String: String]) throws(LogLevelError) -> Logger.Level {
        if let flag {
            guard let level = Logger.Level(rawValue: flag.lowercased()) else { throw LogLevelError(source: "--log-level", value: flag) }
            return level
        }
        if let value = environment[environmentVariable], !value.isEmpty {
            guard let level = Logger.Level(rawValue: value.lowercased()) else { throw LogLevelError(source: environmentVariable, value: value) }
            return level
        }
        return .info
    }
}

/// A log level that is not one of swift-log's.
struct LogLevelError: Error, CustomStringConvertible, Equatable {
    let source: String
    let value: String

    var description: String {
        "\(source) '\(value)' is not a log level: use " + Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
    }
}
