import Foundation
import Protocol

/// Renders a `ClusterStatus` in the Prometheus text exposition format (version 0.0.4),
/// so the run can be watched by the monitoring people already have. Every worker the
/// coordinator has seen is a label set `{worker, host}`; gauges describe the present,
/// `_total` counters only grow.
public enum PrometheusMetrics {
    /// The `Content-Type` of the rendered text.
    public static let contentType = "text/plain; version=0.0.4; charset=utf-8"

    public static func render(_ status: ClusterStatus) -> String {
        var text = ""
        func family(_ name: String, _ type: String, _ help: String, _ samples: [(labels: String, value: String)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for sample in samples { text += "\(name)\(sample.labels) \(sample.value)\n" }
        }
        let job = "{job_id=\"\(escaped(status.jobID))\"}"
        family("calib_images", "gauge", "Images in the calibration set.", [(job, "\(status.images)")])
        family("calib_images_done", "gauge", "Images whose statistics are merged.", [(job, "\(status.imagesDone)")])
        family("calib_shards", "gauge", "Shards in the plan.", [(job, "\(status.shards)")])
        family("calib_shards_done", "gauge", "Shards whose result is accepted.", [(job, "\(status.shardsDone)")])
        family("calib_elapsed_seconds", "gauge", "Seconds since the coordinator started serving.", [(job, number(status.elapsedSeconds))])
        family(
            "calib_workers", "gauge", "Workers seen, by state.",
            WorkerReport.State.allCases.map { state in
                ("{state=\"\(state.rawValue)\"}", "\(status.workers.filter { $0.state == state }.count)")
            })
        let workers = status.workers.map { worker in
            (worker, "{worker=\"\(escaped(worker.id))\",host=\"\(escaped(worker.host))\"}")
        }
        family(
            "calib_worker_up", "gauge", "1 while the worker is alive (idle or working), else 0.",
            workers.map { ($1, $0.state == .idle || $0.state == .working ? "1" : "0") })
        family("calib_worker_images_done", "gauge", "Images of the worker's accepted results.", workers.map { ($1, "\($0.imagesDone)") })
        family(
            "calib_worker_images_per_second", "gauge", "Images the worker computed per second since it joined.",
            workers.map { ($1, number($0.imagesPerSecond)) })
        family(
            "calib_worker_last_heartbeat_age_seconds", "gauge", "Seconds since the coordinator last heard from the worker.",
            workers.map { ($1, number($0.lastHeartbeatAge)) })
        family(
            "calib_worker_resident_bytes", "gauge", "The worker's resident memory at its last heartbeat.",
            workers.map { ($1, "\($0.residentBytes)") })
        family("calib_worker_errors_total", "counter", "Shards the worker reported failed.", workers.map { ($1, "\($0.errors)") })
        family(
            "calib_worker_info", "gauge", "1 for every worker, with the instruction set its OpenVINO runs on.",
            status.workers.map { worker in
                let labels = "{worker=\"\(escaped(worker.id))\",host=\"\(escaped(worker.host))\","
                    + "instruction_set=\"\(escaped(worker.instructionSet))\"}"
                return (labels, "1")
            })
        return text
    }

    /// A label value with `\`, `"` and newlines escaped as the format requires.
    static func escaped(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Seconds and rates with millisecond precision, in a locale-independent form.
    private static func number(_ value: Double) -> String {
        String(format: "%.3f", locale: Locale(identifier: "en_US_POSIX"), value)
    }
}
