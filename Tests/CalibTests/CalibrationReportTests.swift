import Core
import Foundation
import Testing
import Worker

/// The report page (`Q.report.html`), written next to every int8 IR `Q.xml`, as a user sees it: rendered by headless
/// Chromium (Debian's `chromium`, which `scripts/test.sh` installs).
@Suite(.serialized) struct CalibrationReportTests {
    static let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].first { FileManager.default.isExecutableFile(atPath: $0) }

    @Test func aDistributedRunsReportHasAPlotPerTensorAndAWorkerTableAndRenders() throws {
        let workspace = try TinyWorkspace(images: 4)
        defer { workspace.remove() }
        let graph = TinyModels.convolutions()
        let model = try workspace.write(graph, as: "fp32.xml")
        try FileManager.default.createDirectory(atPath: workspace.path("int8"), withIntermediateDirectories: true)
        let run = try CalibProcess.run(
            [
                "run", "--model", model, "--data", workspace.images.path, "--output", workspace.path("int8/q.xml"), "--workers", "2", "--histograms",
                "--cache-dir", workspace.path("cache"),
            ])
        try #require(run.status == 0, "\(run.standardError)")
        #expect(try !FileManager.default.contentsOfDirectory(atPath: workspace.path("cache")).isEmpty, "the workers' model cache")
        let page = String(decoding: try AtomicFile.read(workspace.path("int8/q.report.html")), as: UTF8.self)
        let tensors = try QuantizationPlan(graph: graph).activations.count
        #expect(page.components(separatedBy: "<svg class=\"histogram\"").count - 1 == tensors)
        #expect(page.contains("<h2>Workers</h2>") && page.components(separatedBy: "<tr><td>").count >= 3)
        #expect(page.contains("<svg class=\"timeline\"") && page.contains("<svg class=\"throughput\""))
        #expect(page.contains("estimated SQNR") && page.contains("FastBiasCorrection"))
        #expect(!page.contains("<script") && !page.contains("http://") && !page.contains("https://"), "self-contained")

        let browser = try #require(Self.chromium, "headless Chromium is needed: apt-get install chromium (scripts/test.sh does)")
        let screenshot = workspace.path("report.png")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        process.arguments = [
            "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1000,2000",
            "--screenshot=\(screenshot)", URL(fileURLWithPath: workspace.path("int8/q.report.html")).absoluteString,
        ]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        process.waitUntilExit()
        try #require(process.terminationStatus == 0, "chromium exited with \(process.terminationStatus)")
        let image = try PNGCodec.decode(try AtomicFile.read(screenshot), name: "report.png", reader: .pillow)
        #expect(image.width == 1000 && image.height == 2000)
        // Not blank: text, table lines and the histograms' blue bars.
        var colours = Set<UInt32>()
        var blue = 0
        for pixel in stride(from: 0, to: image.pixels.count, by: 3) {
            let (r, g, b) = (image.pixels[pixel], image.pixels[pixel + 1], image.pixels[pixel + 2])
            colours.insert(UInt32(r) << 16 | UInt32(g) << 8 | UInt32(b))
            if b > 200 && r < 180 && g > 180 && g < 225 { blue += 1 }
        }
        #expect(colours.count > 50, "\(colours.count) colours")
        #expect(blue > 2000, "histogram bars: \(blue) pixels")
    }

    @Test func withoutHistogramsTheReportShowsSpansAndSaysHowToGetThem() throws {
        let workspace = try TinyWorkspace(images: 4)
        defer { workspace.remove() }
        let graph = TinyModels.convolutions()
        let model = try workspace.write(graph, as: "fp32.xml")
        let run = try CalibProcess.run(["run", "--model", model, "--data", workspace.images.path, "--output", workspace.path("q.xml")])
        try #require(run.status == 0, "\(run.standardError)")
        let page = String(decoding: try AtomicFile.read(workspace.path("q.report.html")), as: UTF8.self)
        let tensors = try QuantizationPlan(graph: graph).activations.count
        #expect(page.components(separatedBy: "<svg class=\"span\"").count - 1 == tensors)
        #expect(!page.contains("<svg class=\"histogram\"") && !page.contains("estimated SQNR"))
        #expect(page.contains("No histograms: method pot needs only each image's minimum and maximum"))
        #expect(page.contains("<code>--histograms</code>"))
    }
}
