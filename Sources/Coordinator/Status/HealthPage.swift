import Core
import Foundation
import Protocol

/// The run as a web page for people, served at `/` on the metrics port: progress and the
/// time left, a plot of images merged per second, and a row per worker (state, shard,
/// images, pace, last heartbeat, memory, errors). It reloads itself every
/// `refreshSeconds`. Plain HTML with inline CSS and SVG, no script and nothing fetched
/// from elsewhere, so it works from a cluster node without internet access.
public enum HealthPage {
    /// The `Content-Type` of the rendered page.
    public static let contentType = "text/html; charset=utf-8"
    /// Seconds between the page's reloads.
    public static let refreshSeconds = 2

    /// The page for `status`, with `history` drawn as images merged per second.
    public static func render(_ status: ClusterStatus, history: ThroughputHistory) -> String {
        let percent = status.images > 0 ? 100 * Double(status.imagesDone) / Double(status.images) : 100
        let alive = status.workers.filter { $0.state == .idle || $0.state == .working }.count
        let dead = status.workers.filter { $0.state == .dead }.count
        var summary = [
            "\(status.imagesDone) of \(status.images) images (\(String(format: "%.0f", percent)) %)",
            "\(status.shardsDone) of \(status.shards) shards",
            "running \(ElapsedTime.text(status.elapsedSeconds))",
        ]
        if status.imagesDone < status.images {
            summary.append(history.secondsLeft(total: status.images).map { "about \(ElapsedTime.text($0)) left" } ?? "time left not known yet")
        }
        summary.append("\(alive) worker\(alive == 1 ? "" : "s") alive" + (dead > 0 ? ", \(dead) dead" : ""))
        let set = status.instructionSet.isEmpty ? "each worker its own" : HTMLText.escaped(status.instructionSet)
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="refresh" content="\(refreshSeconds)">
            <title>calib \(String(format: "%.0f", percent)) % · job \(HTMLText.escaped(status.jobID))</title>
            <style>\(style)</style>
            </head>
            <body>
            <h1>calib · job <code>\(HTMLText.escaped(status.jobID))</code></h1>
            <p class="summary">\(summary.joined(separator: " · "))</p>
            <div class="bar"><div style="width: \(String(format: "%.1f", percent))%"></div></div>
            <h2>Images merged per second</h2>
            \(plot(history))
            <h2>Workers</h2>
            \(table(status.workers))
            <p class="foot">Instruction set: \(set) · reloads every \(refreshSeconds) s · <a href="/metrics">Prometheus metrics</a></p>
            </body>
            </html>

            """
    }

    private static let style = """
        body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5em; color: #222; }
        h1 { font-size: 1.4em; margin: 0 0 0.3em; } h2 { font-size: 1.1em; margin: 1.2em 0 0.4em; }
        .bar { background: #e4e4e4; height: 14px; border-radius: 7px; overflow: hidden; max-width: 720px; }
        .bar div { background: #2f7ed8; height: 100%; }
        table { border-collapse: collapse; } th, td { padding: 3px 10px; text-align: right; border-bottom: 1px solid #ddd; }
        th:first-child, td:first-child, th:nth-child(2), td:nth-child(2), th:nth-child(3), td:nth-child(3) { text-align: left; }
        .working { color: #1a7f37; } .idle { color: #9a6700; } .dead { color: #cf222e; font-weight: bold; } .left { color: #777; }
        svg { background: #fafafa; border: 1px solid #ddd; } .foot { color: #666; margin-top: 1.5em; }
        """

    /// The rates of `history` as an SVG line, with the largest rate and the time span marked.
    private static func plot(_ history: ThroughputHistory) -> String {
        let rates = history.rates()
        let (width, height, margin) = (720.0, 160.0, 36.0)
        guard let end = rates.last?.seconds, let start = history.samples.first?.seconds, end > start else {
            return "<p class=\"foot\">The plot starts after two samples, \(String(format: "%.0f", history.interval)) s apart.</p>"
        }
        let top = max(rates.map(\.imagesPerSecond).max() ?? 0, 1e-9) * 1.1
        let points = rates.map { rate in
            let x = margin + (rate.seconds - start) / (end - start) * (width - 2 * margin)
            let y = height - margin / 2 - rate.imagesPerSecond / top * (height - margin)
            return String(format: "%.1f,%.1f", x, y)
        }
        let bottom = height - margin / 2
        return """
            <svg width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" role="img" aria-label="images merged per second over time">
            <line x1="\(Int(margin))" y1="\(bottom)" x2="\(width - margin)" y2="\(bottom)" stroke="#999"/>
            <text x="4" y="\(margin / 2 + 4)" font-size="11">\(String(format: "%.2f", top / 1.1))/s</text>
            <text x="4" y="\(bottom + 4)" font-size="11">0</text>
            <text x="\(Int(margin))" y="\(height - 2)" font-size="11">\(ElapsedTime.text(start))</text>
            <text x="\(width - margin)" y="\(height - 2)" font-size="11" text-anchor="end">\(ElapsedTime.text(end))</text>
            <polyline fill="none" stroke="#2f7ed8" stroke-width="2" points="\(points.joined(separator: " "))"/>
            </svg>
            """
    }

    /// One row per worker, in the status's order.
    private static func table(_ workers: [WorkerReport]) -> String {
        guard !workers.isEmpty else { return "<p>No worker has joined yet.</p>" }
        let header = ["worker", "host", "state", "shard", "images", "images/s", "last heard", "memory", "errors"]
        let rows = workers.map { worker in
            let cells = [
                "<code>\(HTMLText.escaped(worker.id))</code>", HTMLText.escaped(worker.host), "<span class=\"\(worker.state.rawValue)\">\(worker.state.rawValue)</span>",
                worker.currentShard.map(String.init) ?? "–", String(worker.imagesDone), String(format: "%.2f", worker.imagesPerSecond),
                String(format: "%.1f s ago", worker.lastHeartbeatAge),
                worker.residentBytes == 0 ? "–" : String(format: "%.0f MB", Double(worker.residentBytes) / 1e6), String(worker.errors),
            ]
            return "<tr>" + cells.map { "<td>\($0)</td>" }.joined() + "</tr>"
        }
        return "<table>\n<tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr>\n" + rows.joined(separator: "\n") + "\n</table>"
    }
}
