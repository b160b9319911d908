import Foundation
import Worker

/// Where the time of the probed model goes against the plain one: OpenVINO's per-node
/// profiling of inferences of each, summed by node type and averaged over the inferences (Convolution, Eltwise,
/// Reorder, ...), so a user sees which probes break fusions (more nodes of a type) and
/// what the extra outputs and layout reorders cost.
struct ProfileComparison {
    /// One node type's executed nodes and total time in each model.
    struct Row {
        let nodeType: String
        let plainNodes: Int
        let plainMilliseconds: Double
        let probedNodes: Int
        let probedMilliseconds: Double
    }

    let rows: [Row]

    /// Rows for every node type either model executed, the largest time difference first;
    /// each argument holds the profiling of one or more inferences.
    init(plain: [[ProfilingEntry]], probed: [[ProfilingEntry]]) {
        func totals(_ runs: [[ProfilingEntry]]) -> [String: (nodes: Int, milliseconds: Double)] {
            var table = [String: (nodes: Int, milliseconds: Double)]()
            for (index, run) in runs.enumerated() {
                for entry in run where entry.executed {
                    let current = table[entry.nodeType] ?? (0, 0)
                    table[entry.nodeType] = (
                        current.nodes + (index == 0 ? 1 : 0),
                        current.milliseconds + Double(entry.realTimeMicroseconds) / 1000 / Double(runs.count)
                    )
                }
            }
            return table
        }
        let (before, after) = (totals(plain), totals(probed))
        rows = Set(before.keys).union(after.keys).map { type in
            Row(
                nodeType: type, plainNodes: before[type]?.nodes ?? 0, plainMilliseconds: before[type]?.milliseconds ?? 0,
                probedNodes: after[type]?.nodes ?? 0, probedMilliseconds: after[type]?.milliseconds ?? 0)
        }.sorted {
            (abs($0.probedMilliseconds - $0.plainMilliseconds), $0.nodeType) > (abs($1.probedMilliseconds - $1.plainMilliseconds), $1.nodeType)
        }
    }

    /// The table: node type, nodes and milliseconds in each model, and the difference.
    func render() -> String {
        var lines = ["node type              plain: nodes      ms   probed: nodes      ms    difference ms"]
        for row in rows {
            lines.append(
                row.nodeType.padding(toLength: 22, withPad: " ", startingAt: 0)
                    + String(
                        format: " %12d %7.1f %15d %7.1f %+13.1f", row.plainNodes, row.plainMilliseconds, row.probedNodes,
                        row.probedMilliseconds, row.probedMilliseconds - row.plainMilliseconds))
        }
        let plain = rows.reduce(0) { $0 + $1.plainMilliseconds }
        let probed = rows.reduce(0) { $0 + $1.probedMilliseconds }
        lines.append("all".padding(toLength: 22, withPad: " ", startingAt: 0) + String(format: " %20.1f %23.1f %+13.1f", plain, probed, probed - plain))
        return lines.joined(separator: "\n")
    }
}
