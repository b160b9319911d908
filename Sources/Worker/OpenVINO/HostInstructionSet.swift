import Foundation
import Protocol

/// This machine's widest CPU instruction set as OpenVINO's CPU kernels see it, and the
/// limit a job puts on it (`ONEDNN_MAX_CPU_ISA`, read by oneDNN when the CPU plugin
/// first compiles, so it must be set before the first job is prepared).
enum HostInstructionSet {
    /// The set from `/proc/cpuinfo`'s flags, capped by `ONEDNN_MAX_CPU_ISA` when set.
    static var detected: InstructionSet {
        let text = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let flagsLine = text.split(separator: "\n").first { $0.hasPrefix("flags") } ?? ""
        let flags = Set(flagsLine.split(separator: ":").last.map { $0.split(separator: " ").map(String.init) } ?? [])
        return InstructionSet.detect(cpuFlags: flags, limit: ProcessInfo.processInfo.environment["ONEDNN_MAX_CPU_ISA"])
    }

    /// Limits OpenVINO's CPU kernels to `limit` for the rest of the process.
    static func limit(to limit: InstructionSet) {
        setenv("ONEDNN_MAX_CPU_ISA", limit.rawValue, 1)
    }
}
