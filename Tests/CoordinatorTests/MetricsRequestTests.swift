import Coordinator
import Testing

/// The metrics endpoint's answers to what HTTP clients send.
struct MetricsRequestTests {
    func answer(_ text: String) -> MetricsRequest.Outcome {
        MetricsRequest.answer(to: Array(text.utf8)) { "calib_images 3\n" }
    }

    @Test func aScrapeGetsTheMetrics() {
        #expect(answer("GET /metrics HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n\r\n") == .respond(status: 200, reason: "OK", body: "calib_images 3\n"))
        #expect(answer("GET / HTTP/1.0\n\n") == .respond(status: 200, reason: "OK", body: "calib_images 3\n"))
        #expect(answer("GET /metrics?x=1 HTTP/1.1\r\n\r\n") == .respond(status: 200, reason: "OK", body: "calib_images 3\n"))
        #expect(answer("HEAD /metrics HTTP/1.1\r\n\r\n") == .respond(status: 200, reason: "OK", body: ""))
    }

    @Test func aHeadArrivingInPiecesWaitsForTheBlankLine() {
        #expect(answer("GET /metrics HTTP/1.1\r\nHost: x\r\n") == .incomplete)
        #expect(answer("") == .incomplete)
    }

    @Test func otherRequestsGetErrors() {
        #expect(answer("GET /other HTTP/1.1\r\n\r\n") == .respond(status: 404, reason: "Not Found", body: "metrics are at /metrics\n"))
        #expect(answer("POST /metrics HTTP/1.1\r\n\r\n") == .respond(status: 405, reason: "Method Not Allowed", body: "only GET is served\n"))
        #expect(answer("\u{1}\u{2}garbage\r\n\r\n") == .respond(status: 400, reason: "Bad Request", body: "malformed request line\n"))
        let endless = "GET /metrics HTTP/1.1\r\n" + String(repeating: "X-Pad: 1\r\n", count: 1000)
        #expect(answer(endless) == .respond(status: 431, reason: "Request Header Fields Too Large", body: "request head too large\n"))
    }

    @Test func theResponseCarriesLengthTypeAndClose() {
        let response = String(decoding: MetricsRequest.response(status: 200, reason: "OK", body: "é\n", contentType: "text/plain"), as: UTF8.self)
        #expect(response == "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 3\r\nConnection: close\r\n\r\né\n")
    }
}
