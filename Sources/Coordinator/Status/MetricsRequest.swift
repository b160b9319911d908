/// The part of an HTTP request the metrics endpoint needs: the method and path of its
/// request line, read once the head (up to the blank line) has arrived. Pure, so every
/// answer the endpoint gives can be tested without a socket.
public struct MetricsRequest: Sendable, Equatable {
    /// The most bytes a request head may take; anything longer is refused.
    public static let maxHeadBytes = 8192

    public let method: String
    public let path: String

    /// What the endpoint does with what a client sent so far.
    public enum Outcome: Sendable, Equatable {
        /// The head is not complete yet.
        case incomplete
        /// Reply with `status` and `body`, then close.
        case respond(status: Int, reason: String, body: String)
    }

    /// Decides the answer to `bytes`, the data received on one connection so far.
    /// `metrics` renders the body only when the request asks for it.
    public static func answer(to bytes: [UInt8], metrics: () -> String) -> Outcome {
        guard let end = headEnd(bytes) else {
            return bytes.count > maxHeadBytes ? .respond(status: 431, reason: "Request Header Fields Too Large", body: "request head too large\n") : .incomplete
        }
        guard let request = MetricsRequest(head: Array(bytes[..<end])) else {
            return .respond(status: 400, reason: "Bad Request", body: "malformed request line\n")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return .respond(status: 405, reason: "Method Not Allowed", body: "only GET is served\n")
        }
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        guard path == "/metrics" || path == "/" else {
            return .respond(status: 404, reason: "Not Found", body: "metrics are at /metrics\n")
        }
        return .respond(status: 200, reason: "OK", body: request.method == "HEAD" ? "" : metrics())
    }

    /// The full HTTP/1.0 response for an outcome's status and body; the connection closes after it.
    public static func response(status: Int, reason: String, body: String, contentType: String) -> [UInt8] {
        let bodyBytes = Array(body.utf8)
        let head =
            "HTTP/1.0 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(bodyBytes.count)\r\nConnection: close\r\n\r\n"
        return Array(head.utf8) + bodyBytes
    }

    /// Parses the request line of `head` (`METHOD SP PATH SP HTTP/x.y`).
    init?(head: [UInt8]) {
        let line = head.prefix { $0 != 0x0d && $0 != 0x0a }
        let parts = String(decoding: line, as: UTF8.self).split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[1].hasPrefix("/"), parts[2].hasPrefix("HTTP/1.") else { return nil }
        method = String(parts[0])
        path = String(parts[1])
    }

    /// The offset of the blank line ending the head (`\r\n\r\n` or `\n\n`), if present.
    private static func headEnd(_ bytes: [UInt8]) -> Int? {
        var index = 0
        while index < bytes.count {
            if bytes[index] == 0x0a {
                if index + 1 < bytes.count, bytes[index + 1] == 0x0a { return index }
                if index + 2 < bytes.count, bytes[index + 1] == 0x0d, bytes[index + 2] == 0x0a { return index }
            }
            index += 1
        }
        return nil
    }
}
