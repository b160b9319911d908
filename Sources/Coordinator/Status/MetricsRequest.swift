/// The part of an HTTP request the metrics port needs: the method and path of its
/// request line, read once the head (up to the blank line) has arrived. Pure, so every
/// answer the port gives can be tested without a socket. It serves two resources:
/// Prometheus metrics at `/metrics` and the health page (`HealthPage`) at `/`.
public struct MetricsRequest: Sendable, Equatable {
    /// The most bytes a request head may take; anything longer is refused.
    public static let maxHeadBytes = 8192

    public let method: String
    public let path: String

    /// What the port serves.
    public enum Resource: Sendable, Equatable {
        /// Prometheus text, at `/metrics`.
        case metrics
        /// The HTML health page, at `/`.
        case healthPage

        /// The `Content-Type` of the resource's body.
        public var contentType: String {
            switch self {
            case .metrics: PrometheusMetrics.contentType
            case .healthPage: HealthPage.contentType
            }
        }
    }

    /// What the port does with what a client sent so far.
    public enum Outcome: Sendable, Equatable {
        /// The head is not complete yet.
        case incomplete
        /// Reply with `status` and `body` of `contentType`, then close.
        case respond(status: Int, reason: String, body: String, contentType: String)
    }

    /// The `Content-Type` of error replies.
    static let errorContentType = "text/plain; charset=utf-8"

    /// Decides the answer to `bytes`, the data received on one connection so far.
    /// `render` makes the body only when the request asks for a resource.
    public static func answer(to bytes: [UInt8], render: (Resource) -> String) -> Outcome {
        let end = headEnd(bytes)
        // A request line that long is mostly its path.
        if (bytes.firstIndex(of: 0x0a) ?? bytes.count) > maxHeadBytes {
            return failure(414, "URI Too Long", "request line too long\n")
        }
        if (end ?? bytes.count) > maxHeadBytes {
            return failure(431, "Request Header Fields Too Large", "request head too large\n")
        }
        guard let end else { return .incomplete }
        guard let request = MetricsRequest(head: Array(bytes[..<end])) else {
            return failure(400, "Bad Request", "malformed request line\n")
        }
        guard request.method == "GET" || request.method == "HEAD" else {
            return failure(405, "Method Not Allowed", "only GET and HEAD are served\n")
        }
        let path = request.path.split(separator: "?", maxSplits: 1).first.map(String.init) ?? ""
        let resource: Resource
        switch path {
        case "/metrics": resource = .metrics
        case "/", "/index.html": resource = .healthPage
        default: return failure(404, "Not Found", "metrics are at /metrics, the health page at /\n")
        }
        return .respond(
            status: 200, reason: "OK", body: request.method == "HEAD" ? "" : render(resource), contentType: resource.contentType)
    }

    private static func failure(_ status: Int, _ reason: String, _ body: String) -> Outcome {
        .respond(status: status, reason: reason, body: body, contentType: errorContentType)
    }

    /// The full HTTP/1.0 response for an outcome's status and body; the connection closes
    /// after it. A 405 names the methods served (`Allow`, which RFC 9110 §15.5.6 requires).
    public static func response(status: Int, reason: String, body: String, contentType: String) -> [UInt8] {
        let bodyBytes = Array(body.utf8)
        let allow = status == 405 ? "Allow: GET, HEAD\r\n" : ""
        let head =
            "HTTP/1.0 \(status) \(reason)\r\nContent-Type: \(contentType)\r\nContent-Length: \(bodyBytes.count)\r\n\(allow)Connection: close\r\n\r\n"
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
