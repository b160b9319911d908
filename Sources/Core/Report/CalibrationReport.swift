import Foundation

/// The page every calibration writes next to its int8 IR (`Q.report.html` next to `Q.xml`), so a user can
/// see why to trust it: totals and the command line; for each quantized tensor its
/// histogram on a log scale with the chosen range and the ranges of the other methods,
/// the share clipped and the estimated quantization SQNR; the layers FastBiasCorrection
/// changed; for a distributed run, each worker's share and a timeline of what each did
/// (shards accepted, failures, deaths) with the throughput over time. Self-contained HTML with inline
/// SVG: no script, no network.
public struct CalibrationReport: Sendable {
    /// One worker of a distributed run, as the coordinator last saw it.
    public struct Worker: Sendable {
        public let id: String
        public let host: String
        public let state: String
        public let images: Int
        public let imagesPerSecond: Double
        public let errors: Int

        public init(id: String, host: String, state: String, images: Int, imagesPerSecond: Double, errors: Int) {
            self.id = id
            self.host = host
            self.state = state
            self.images = images
            self.imagesPerSecond = imagesPerSecond
            self.errors = errors
        }
    }

    /// One layer FastBiasCorrection looked at.
    public struct BiasChange: Sendable {
        public let layer: String
        public let isApplied: Bool
        /// `max_c |shift_c / bias_c|`.
        public let largestRelativeChange: Double

        public init(layer: String, isApplied: Bool, largestRelativeChange: Double) {
            self.layer = layer
            self.isApplied = isApplied
            self.largestRelativeChange = largestRelativeChange
        }
    }

    public var model: String
    public var output: String
    public var commandLine: String
    public var method: CalibrationMethod
    public var preset: QuantizationPreset
    public var images: Int
    public var seconds: Double
    public var weightTensors: Int
    public var tensors: [TensorRangeReport]
    public var biasChanges: [BiasChange]
    /// Nil for a run in one process.
    public var workers: [Worker]?
    /// What happened to the workers, in time order (empty for a run in one process).
    public var timeline: [WorkerEvent]

    public init(
        model: String, output: String, commandLine: String, method: CalibrationMethod, preset: QuantizationPreset, images: Int,
        seconds: Double, weightTensors: Int, tensors: [TensorRangeReport], biasChanges: [BiasChange], workers: [Worker]?,
        timeline: [WorkerEvent] = []
    ) {
        self.timeline = timeline
        self.model = model
        self.output = output
        self.commandLine = commandLine
        self.method = method
        self.preset = preset
        self.images = images
        self.seconds = seconds
        self.weightTensors = weightTensors
        self.tensors = tensors
        self.biasChanges = biasChanges
        self.workers = workers
    }

    /// Colours of the methods' range marks; the chosen range is drawn in black.
    static let methodColours: [CalibrationMethod: String] = [
        .pot: "#1f77b4", .minmax: "#d62728", .quantile: "#2ca02c", .kl: "#9467bd", .mse: "#ff7f0e",
    ]

    /// The page.
    public func html() -> String {
        var page = """
            <!DOCTYPE html>
            <html lang="en"><head><meta charset="utf-8"><title>calib report: \(HTMLText.escaped(output))</title>
            <style>
            body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#222}
            table{border-collapse:collapse;margin:8px 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:left}
            section.tensor{display:inline-block;margin:6px;vertical-align:top;width:420px}
            section.tensor h3{font-size:13px;margin:4px 0;word-break:break-all}.figures{font-size:12px;color:#444}
            code{background:#f4f4f4;padding:2px 4px}
            </style></head><body>
            <h1>calib: int8 calibration report</h1>
            <table>
            <tr><th>model</th><td>\(HTMLText.escaped(model))</td></tr>
            <tr><th>int8 IR</th><td>\(HTMLText.escaped(output))</td></tr>
            <tr><th>images</th><td>\(images), in \(String(format: "%.1f", seconds)) s</td></tr>
            <tr><th>method, preset</th><td>\(method.rawValue), \(preset.rawValue)</td></tr>
            <tr><th>quantized</th><td>\(tensors.count) activation tensors, \(weightTensors) weight tensors</td></tr>
            <tr><th>command</th><td><code>\(HTMLText.escaped(commandLine))</code></td></tr>
            </table>

            """
        page += workersSection()
        let legend = CalibrationMethod.allCases.map { method in
            "<span style=\"color:\(Self.methodColours[method] ?? "#888")\">&#9474; \(method.rawValue)</span>"
        }.joined(separator: " ")
        if tensors.allSatisfy(\.hasHistogram) {
            page += "<h2>Activation ranges</h2>\n<p>Histograms of each tensor's values over all images (counts on a log scale). "
                + "The black lines are the range written; the coloured ones, what each method would pick: \(legend).</p>\n"
        } else {
            page += "<h2>Activation ranges</h2>\n<p>Each tensor's span over all images (grey), the range written (black) and "
                + "what pot and minmax would pick (coloured). No histograms: method \(method.rawValue) needs only each image's "
                + "minimum and maximum, which the model computed inside the graph. Run with <code>--histograms</code> to plot the "
                + "distributions and the ranges of quantile, kl and mse.</p>\n"
        }
        for tensor in tensors {
            page += section(tensor)
        }
        page += biasSection()
        page += "</body></html>\n"
        return page
    }

    private func workersSection() -> String {
        guard let workers, !workers.isEmpty else { return "" }
        let most = max(workers.map(\.images).max() ?? 1, 1)
        var text = "<h2>Workers</h2>\n<table><tr><th>worker</th><th>host</th><th>state</th><th>images</th><th>images/s</th><th>errors</th><th></th></tr>\n"
        for worker in workers {
            let bar = Int((Double(worker.images) / Double(most) * 200).rounded())
            text += "<tr><td>\(HTMLText.escaped(worker.id))</td><td>\(HTMLText.escaped(worker.host))</td><td>\(HTMLText.escaped(worker.state))</td>"
                + "<td>\(worker.images)</td><td>\(String(format: "%.2f", worker.imagesPerSecond))</td><td>\(worker.errors)</td>"
                + "<td><svg width=\"204\" height=\"12\"><rect width=\"\(bar)\" height=\"12\" fill=\"#1f77b4\"/></svg></td></tr>\n"
        }
        return text + "</table>\n" + timelineSection(workers.map(\.id))
    }

    /// One row per worker: a blue tick per accepted shard, a red cross per failure, a black
    /// bar where it was declared dead, a grey dot where it left; below, images done over time.
    private func timelineSection(_ order: [String]) -> String {
        guard !timeline.isEmpty else { return "" }
        let workers = order + Array(Set(timeline.map(\.worker)).subtracting(order)).sorted()
        let (left, width, row) = (100.0, 700.0, 18.0)
        let end = max(timeline.map(\.seconds).max() ?? 1, 1e-3)
        func x(_ seconds: Double) -> Double { left + seconds / end * width }
        let height = Double(workers.count) * row + 20
        var marks = ""
        for (index, worker) in workers.enumerated() {
            let y = Double(index) * row + 4
            marks += "<text x=\"0\" y=\"\(Int(y + 11))\" font-size=\"11\">\(HTMLText.escaped(worker))</text>"
            for event in timeline where event.worker == worker {
                let position = String(format: "%.1f", x(event.seconds))
                switch event.kind {
                case .accepted:
                    marks += "<rect x=\"\(position)\" y=\"\(Int(y))\" width=\"2\" height=\"12\" fill=\"#1f77b4\"/>"
                case .failed:
                    marks += "<text x=\"\(position)\" y=\"\(Int(y + 11))\" font-size=\"12\" fill=\"#d62728\">✕</text>"
                case .dead:
                    marks += "<rect x=\"\(position)\" y=\"\(Int(y - 2))\" width=\"3\" height=\"16\" fill=\"#000\"/>"
                case .left:
                    marks += "<circle cx=\"\(position)\" cy=\"\(Int(y + 6))\" r=\"3\" fill=\"#888\"/>"
                }
            }
        }
        marks += "<text x=\"\(Int(left))\" y=\"\(Int(height - 2))\" font-size=\"10\">0 s</text>"
            + "<text x=\"\(Int(left + width))\" y=\"\(Int(height - 2))\" font-size=\"10\" text-anchor=\"end\">"
            + String(format: "%.1f s", end) + "</text>"
        var done = 0
        var points = ["\(Int(left)),100"]
        let total = max(timeline.reduce(0) { sum, event in if case let .accepted(images) = event.kind { sum + images } else { sum } }, 1)
        for event in timeline {
            guard case let .accepted(images) = event.kind else { continue }
            done += images
            points.append(String(format: "%.1f,%.1f", x(event.seconds), 100 - Double(done) / Double(total) * 96))
        }
        return "<h3>Timeline</h3>\n<p>Per worker: shards accepted (blue), failures (red ✕), declared dead (black), left (grey). "
            + "Below: images done over time, \(total) in all.</p>\n"
            + "<svg class=\"timeline\" width=\"\(Int(left + width + 10))\" height=\"\(Int(height))\">\(marks)</svg>\n"
            + "<svg class=\"throughput\" width=\"\(Int(left + width + 10))\" height=\"104\">"
            + "<polyline fill=\"none\" stroke=\"#1f77b4\" stroke-width=\"2\" points=\"\(points.joined(separator: " "))\"/>"
            + "<line x1=\"\(Int(left))\" x2=\"\(Int(left + width))\" y1=\"100\" y2=\"100\" stroke=\"#999\"/></svg>\n"
    }

    private func biasSection() -> String {
        guard !biasChanges.isEmpty else { return "" }
        let applied = biasChanges.filter(\.isApplied).count
        var text = "<h2>FastBiasCorrection</h2>\n<p>\(applied) of \(biasChanges.count) layers corrected; a layer with a bias of 0 "
            + "or a change of 200 % or more is left as it is.</p>\n<details><summary>every layer</summary>\n"
            + "<table><tr><th>layer</th><th>corrected</th><th>largest relative change</th></tr>\n"
        for change in biasChanges {
            let relative = change.largestRelativeChange.isFinite ? String(format: "%.2f %%", change.largestRelativeChange * 100) : "a bias is 0"
            text += "<tr><td>\(HTMLText.escaped(change.layer))</td><td>\(change.isApplied ? "yes" : "no")</td><td>\(relative)</td></tr>\n"
        }
        return text + "</table></details>\n"
    }

    private func section(_ tensor: TensorRangeReport) -> String {
        let (width, height) = (400.0, 140.0)
        let largest = log10(Double(tensor.plotCounts.max() ?? 0) + 1)
        let binWidth = width / Double(tensor.plotCounts.count)
        func x(_ value: Double) -> Double { (value - tensor.plotLow) / (tensor.plotHigh - tensor.plotLow) * width }
        var bars = ""
        for (index, count) in tensor.plotCounts.enumerated() where count > 0 {
            let barHeight = largest > 0 ? log10(Double(count) + 1) / largest * (height - 10) : 0
            bars += String(format: "M%.1f %.1fh%.1fv%.1fh-%.1fz", Double(index) * binWidth, height, binWidth, -barHeight, binWidth)
        }
        var marks = ""
        for alternative in tensor.alternatives {
            let colour = Self.methodColours[alternative.method] ?? "#888"
            for value in [alternative.low, alternative.high] {
                let position = String(format: "%.1f", x(value))
                marks += "<line x1=\"\(position)\" x2=\"\(position)\" y1=\"0\" y2=\"\(Int(height))\" stroke=\"\(colour)\" stroke-dasharray=\"3 2\"/>"
            }
        }
        for value in [tensor.low, tensor.high] {
            marks += String(format: "<line x1=\"%.1f\" x2=\"%.1f\" y1=\"0\" y2=\"%.0f\" stroke=\"#000\" stroke-width=\"2\"/>", x(value), x(value), height)
        }
        let sqnr = tensor.estimatedSQNR.isFinite ? String(format: "%.1f dB", tensor.estimatedSQNR) : "∞"
        let range = String(format: "[%.4g, %.4g]", tensor.low, tensor.high) + (tensor.isPerChannel ? " (per channel, envelope)" : "")
        let figures = tensor.hasHistogram
            ? "range \(range) · clipped \(String(format: "%.4f", tensor.clippedShare * 100)) % · estimated SQNR \(sqnr) · "
                + "\(tensor.count) values"
            : "range \(range) · values from \(String(format: "%.4g", tensor.valuesLow)) to \(String(format: "%.4g", tensor.valuesHigh))"
        if !tensor.hasHistogram {
            // The values' span as a grey band instead of bars.
            bars = String(format: "M%.1f %.1fH%.1fV%.1fH%.1fz", x(tensor.valuesLow), height, x(tensor.valuesHigh), height - 20, x(tensor.valuesLow))
        }
        return """
            <section class="tensor"><h3>\(HTMLText.escaped(tensor.name))</h3><div class="figures">\(HTMLText.escaped(figures))</div>
            <svg class="\(tensor.hasHistogram ? "histogram" : "span")" width="\(Int(width))" height="\(Int(height) + 14)" viewBox="0 0 \(Int(width)) \(Int(height) + 14)">
            <path d="\(bars)" fill="\(tensor.hasHistogram ? "#9ecae1" : "#ccc")"/>\(marks)
            <text x="0" y="\(Int(height) + 12)" font-size="10">\(String(format: "%.3g", tensor.plotLow))</text>
            <text x="\(Int(width))" y="\(Int(height) + 12)" font-size="10" text-anchor="end">\(String(format: "%.3g", tensor.plotHigh))</text>
            </svg></section>

            """
    }
}
