import Core
import Foundation
import Protocol
import Testing
import Worker

/// The health page as people see it: Debian's headless Chromium loads it from a real
/// coordinator in the middle of a run with two real workers. The workers are paused
/// (SIGSTOP) while the browser looks, so the run cannot end first on a slow machine.
/// The screenshot stays at `$TMPDIR/calib-health-page.png` for a person to look at.
@Suite(.serialized) struct HealthPageBrowserTests {
    static let chromiumPath = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }
    static let screenshot = FileManager.default.temporaryDirectory.appendingPathComponent("calib-health-page.png")

    /// Headless Chromium on `url`, with `arguments` before it; what it printed on standard output.
    private func chromium(_ arguments: [String], url: String) throws -> String {
        let browser = try CalibProcess.Running(
            program: URL(fileURLWithPath: try #require(Self.chromiumPath)),
            // Root in a container has no user namespace for Chromium's sandbox.
            arguments: ["--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,700"] + arguments + [url])
        let outcome = try browser.wait(timeout: 120)
        try #require(outcome.status == 0, "chromium failed: \(outcome.standardError)")
        return outcome.standardOutput
    }

    @Test(.enabled(if: chromiumPath != nil, "needs Debian's chromium, which scripts/test.sh installs"))
    func chromiumShowsTheWorkersOfARunningJob() throws {
        let folder = try CalibProcess.scratchFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let model = folder.appendingPathComponent("ssd300.xml").path
        let images = folder.appendingPathComponent("images").path
        try IRFiles.write(SSDResNet34(resolution: 300).makeGraph(), xmlPath: model)
        _ = try ExampleImageWriter(directory: URL(fileURLWithPath: images)).write(count: 12)
        let endpoint = try CoordinatorProbe.freeEndpoint()
        let metricsPort = try #require(Int(try CoordinatorProbe.freeEndpoint().split(separator: ":").last ?? ""))
        let coordinator = try CalibProcess.start([
            "coordinator", "--bind", endpoint, "--model", model, "--data", images, "--output", folder.appendingPathComponent("q.xml").path,
            "--insecure", "--shard-size", "1", "--metrics-port", String(metricsPort),
        ])
        defer { coordinator.terminateIfRunning() }
        try coordinator.waitForStandardError(containing: "health page at", timeout: 60)
        let workers = try (0..<2).map { _ in try CalibProcess.start(["worker", "--connect", endpoint, "--threads", "1"]) }
        defer { for worker in workers { worker.terminateIfRunning() } }
        let running = try CoordinatorProbe.waitForStatus(endpoint, timeout: 180) { status in
            status.imagesDone >= 2 && status.workers.filter { $0.state == .working || $0.state == .idle }.count == 2
        }
        for worker in workers { kill(worker.process.processIdentifier, SIGSTOP) }

        let url = "http://127.0.0.1:\(metricsPort)/"
        let page = try chromium(["--dump-dom"], url: url)
        #expect(page.contains("of 12 images"), "\(page)")
        for worker in running.workers {
            #expect(page.contains("<code>\(worker.id)</code>"), "worker \(worker.id) is not on the page: \(page)")
        }
        #expect(page.contains("<polyline"), "no throughput plot: \(page)")
        try? FileManager.default.removeItem(at: Self.screenshot)
        _ = try chromium(["--screenshot=\(Self.screenshot.path)"], url: url)
        let png = try Data(contentsOf: Self.screenshot)
        #expect(png.starts(with: [0x89, 0x50, 0x4e, 0x47]), "not a PNG")
        // Width and height from the IHDR chunk: the window's size.
        let size = png.count > 24 ? (png[16..<20].reduce(0) { $0 << 8 | Int($1) }, png[20..<24].reduce(0) { $0 << 8 | Int($1) }) : (0, 0)
        #expect(size == (1000, 700))

        for worker in workers { kill(worker.process.processIdentifier, SIGCONT) }
        let served = try coordinator.wait(timeout: 300)
        #expect(served.status == 0, "\(served.standardError)")
    }
}
