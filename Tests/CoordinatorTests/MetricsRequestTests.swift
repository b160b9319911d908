import Coordinator
import Testing

/// The metrics port's answers to what HTTP clients send.
struct MetricsRequestTests {
    func answer(_ text: String) -> MetricsRequest.Outcome {
        MetricsRequest.answer(to: Array(text.utf8)) { resource in
            switch resource {
            case .metrics: "calib_images 3\n"
            case .healthPage: "<p>page</p>"
            }
        }
    }

    func metrics(_ body: String) -> MetricsRequest.Outcome {
        .respond(status: 200, reason: "OK", body: body, contentType: PrometheusMetrics.contentType)
    }

    func failure(_ status: Int, _ reason: String, _ body: String) -> MetricsRequest.Outcome {
        .respond(status: status, reason: reason, body: body, contentType: "text/plain; charset=utf-8")
    }

    @Test func aScrapeGetsTheMetrics() {
        #expect(answer("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n") == metrics("calib_images 3\n"))
        #expect(answer("GET /metrics?x=1 HTTP/1.1\r\n\r\n") == metrics("calib_images 3\n"))
        #expect(answer("HEAD /metrics HTTP/1.1\r\n\r\n") == metrics(""))
    }

    @Test func aBrowserGetsTheHealthPage() {
        let page = MetricsRequest.Outcome.respond(status: 200, reason: "OK", body: "<p>page</p>", contentType: "text/html; charset=utf-8")
        #expect(answer("GET / HTTP/1.0\n\n") == page)
        #expect(answer("GET /index.html HTTP/1.1\r\n\r\n") == page)
        #expect(answer("GET /?refresh HTTP/1.1\r\n\r\n") == page)
    }

    @Test func aHeadArrivingInPiecesWaitsForTheBlankLine() {
        #expect(answer("GET /metrics HTTP/1.1\r\nHost: x\r\n") == .incomplete)
        #expect(answer("") == .incomplete)
    }

    @Test func otherRequestsGetErrors() {
        #expect(answer("GET /other HTTP/1.1\r\n\r\n") == failure(404, "Not Found", "metrics are at /metrics, the health page at /\n"))
        #expect(answer("POST /metrics HTTP/1.1\r\n\r\n") == failure(405, "Method Not Allowed", "only GET and HEAD are served\n"))
        #expect(answer("\u{1}\u{2}garbage\r\n\r\n") == failure(400, "Bad Request", "malformed request line\n"))
        let endless = "GET /metrics HTTP/1.1\r\n" + String(repeating: "X-Pad: 1\r\n", count: 1000)
        #expect(answer(endless) == failure(431, "Request Header Fields Too Large", "request head too large\n"))
        let longPath = "GET /" + String(repeating: "a", count: 20_000) + " HTTP/1.1\r\n\r\n"
        #expect(answer(longPath) == failure(414, "URI Too Long", "request line too long\n"))
        #expect(answer(String(longPath.prefix(MetricsRequest.maxHeadBytes))) == .incomplete)
    }

    @Test func aRefusedMethodIsToldWhichAreServed() {
        let response = String(
            decoding: MetricsRequest.response(status: 405, reason: "Method Not Allowed", body: "x\n", contentType: "text/plain"), as: UTF8.self)
        #expect(response.contains("\r\nAllow: GET, HEAD\r\n"))
        let ok = String(decoding: MetricsRequest.response(status: 200, reason: "OK", body: "x\n", contentType: "text/plain"), as: UTF8.self)
        #expect(!ok.contains("Allow"))
    }

    @Test func theResponseCarriesLengthTypeAndClose() {
        let response = String(decoding: MetricsRequest.response(status: 200, reason: "OK", body: "é\n", contentType: "text/plain"), as: UTF8.self)
        #expect(response == "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\né\n")
    }
}
