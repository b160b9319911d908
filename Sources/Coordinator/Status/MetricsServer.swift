import Protocol

/// Serves the coordinator's Prometheus metrics and its health page over plain HTTP on a
/// ZeroMQ `STREAM` socket, so the coordinator's one network loop answers scrapes and
/// browsers next to its workers without a second thread or an HTTP library. Each
/// connection gets one response and is closed (HTTP/1.0).
final class MetricsServer {
    let socket: ZMQSocket
    /// Bytes received so far per open connection, keyed by ZeroMQ's connection id.
    private var received: [[UInt8]: [UInt8]] = [:]

    init(context: ZMQContext, endpoint: String) throws {
        socket = try ZMQSocket(context: context, kind: .stream)
        try socket.setOption(.sendTimeout, 1000)
        try socket.bind(endpoint)
    }

    /// The endpoint bound, with the port chosen for `tcp://host:*`.
    var boundEndpoint: String { (try? socket.lastEndpoint) ?? "" }

    /// Reads what is waiting and answers complete requests with what `render` makes of the resource asked for.
    func serveReadable(render: (MetricsRequest.Resource) -> String) throws {
        while try socket.poll(timeoutMilliseconds: 0), let frames = try socket.receive() {
            guard frames.count == 2 else { continue }
            let (connection, data) = (frames[0], frames[1])
            // An empty frame announces a new connection or a closed one.
            guard !data.isEmpty else {
                received[connection] = nil
                continue
            }
            let bytes = received[connection, default: []] + data
            switch MetricsRequest.answer(to: bytes, render: render) {
            case .incomplete:
                received[connection] = bytes
            case let .respond(status, reason, body, contentType):
                received[connection] = nil
                let response = MetricsRequest.response(status: status, reason: reason, body: body, contentType: contentType)
                // Errors here concern one scraper only; the connection is dropped.
                try? socket.send([connection, response])
                try? socket.send([connection, []])
            }
        }
    }
}
