import Foundation
import Protocol

/// Renders a coordinator's `ClusterStatus` for people: one line about the job, then one
/// row per worker, dead and departed ones included, so a glance shows who is slow, who
/// died and what each one holds.
struct StatusTable {
    let status: ClusterStatus

    func render() -> String {
        let percent = status.images > 0 ? 100 * Double(status.imagesDone) / Double(status.images) : 100
        let alive = status.workers.filter { $0.state == .idle || $0.state == .working }.count
        var lines = [
            String(
                format: "job %@: %u/%u images (%.0f%%), %u/%u shards, running %@, %d worker%@ alive",
                status.jobID, status.imagesDone, status.images, percent, status.shardsDone, status.shards,
                ElapsedTime.text(status.elapsedSeconds), alive, alive == 1 ? "" : "s")
        ]
        guard !status.workers.isEmpty else { return (lines + ["no worker has joined yet"]).joined(separator: "\n") }
        let header = ["worker", "host", "pid", "state", "shard", "images", "img/s", "heartbeat", "memory", "errors", "isa"]
        let rows = status.workers.map { worker in
            [
                worker.id, worker.host, String(worker.pid), worker.state.rawValue, worker.currentShard.map(String.init) ?? "-",
                String(worker.imagesDone), String(format: "%.2f", worker.imagesPerSecond),
                String(format: "%.1f s ago", worker.lastHeartbeatAge), Self.megabytes(worker.residentBytes), String(worker.errors),
                worker.instructionSet.isEmpty ? "-" : worker.instructionSet,
            ]
        }
        let widths = header.indices.map { column in
            max(header[column].count, rows.map { $0[column].count }.max() ?? 0)
        }
        for row in [header] + rows {
            lines.append(
                row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                    .joined(separator: "  ").trimmingCharacters(in: .whitespaces))
        }
        return lines.joined(separator: "\n")
    }

    private static func megabytes(_ bytes: UInt64) -> String {
        bytes == 0 ? "-" : String(format: "%.0f MB", Double(bytes) / 1e6)
    }
}
