import Foundation
import COpenVINO

/// A failed OpenVINO C API call: which operation, the status, and OpenVINO's own message.
public struct OpenVINOError: Error, Sendable, Equatable, CustomStringConvertible {
    public let operation: String
    public let status: Int32
    public let message: String

    public var description: String {
        let detail = message.isEmpty ? "" : ": \(message)"
        return "OpenVINO \(operation) failed (\(statusName))\(detail)"
    }

    private var statusName: String {
        guard let text = ov_get_error_info(ov_status_e(rawValue: status)) else { return "status \(status)" }
        return String(cString: text)
    }

    /// Runs one C API call and turns a non-OK status into an error with OpenVINO's last message.
    static func check(_ operation: String, _ call: () -> ov_status_e) throws {
        let status = call()
        guard status != OK else { return }
        let message = ov_get_last_err_msg().map { String(cString: $0) } ?? ""
        throw OpenVINOError(
            operation: operation, status: status.rawValue,
            message: message.split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
                .filter { !$0.isEmpty }.joined(separator: " | "))
    }
}
