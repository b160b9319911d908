import Logging

/// The command line's logger: one line per event on standard error, so standard output
/// stays the result (summary, tables).
enum StandardErrorLog {
    static let logger: Logger = {
        LoggingSystem.bootstrap(StreamLogHandler.standardError)
        return Logger(label: "calib")
    }()
}
