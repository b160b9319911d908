import CProcessorAffinity
import Glibc

/// The CPUs this process may run on (`sched_getaffinity`/`sched_setaffinity`), so that
/// several workers on one machine each get CPUs of their own. OpenVINO's CPU plugin pins
/// its threads inside this set; without separate sets, two one-thread workers pinned
/// themselves to the same CPU and ran at half speed (README, "Distributed runtime, measured").
public enum ProcessorAffinity {
    /// The most CPUs a Linux CPU set holds (`CPU_SETSIZE`).
    static let capacity = 1024

    /// The CPUs this process may run on, ascending; CPUs 0 to 1023 when the kernel does
    /// not say.
    public static func allowed() -> [Int] {
        var cpus = [Int32](repeating: 0, count: capacity)
        let count = calib_allowed_cpus(&cpus, Int32(capacity))
        guard count > 0 else { return Array(0..<capacity) }
        return cpus.prefix(Int(count)).map(Int.init)
    }

    /// A CPU set that cannot be applied, said in one line.
    public struct RefusedSet: Error, CustomStringConvertible {
        public let description: String
    }

    /// Which of `cpus` this process may not run on, and which it may, in one line
    /// (`4000: not available to this process, which may run on CPUs 0-1 only`); nil when
    /// it may run on all of them.
    public static func unavailability(of cpus: [Int]) -> String? {
        let allowed = allowed()
        let refused = cpus.filter { !allowed.contains($0) }
        guard !refused.isEmpty else { return nil }
        return "\(describe(refused)): not available to this process, which may run on CPUs \(describe(allowed)) only"
    }

    /// Lets every thread of this process, those already running included, run only on
    /// `cpus`, which must be among `allowed()`. Throws `RefusedSet` naming the CPUs refused.
    public static func restrict(to cpus: [Int]) throws {
        if let refusal = unavailability(of: cpus) { throw RefusedSet(description: "CPUs \(refusal)") }
        guard !cpus.isEmpty else { throw RefusedSet(description: "no CPU given") }
        guard calib_restrict_cpus(cpus.map(Int32.init), Int32(cpus.count)) == 0 else {
            throw RefusedSet(description: "CPUs \(describe(cpus)): sched_setaffinity failed (errno \(errno))")
        }
    }

    /// `cpus` as a list of ranges, e.g. `0-3,8`.
    public static func describe(_ cpus: [Int]) -> String {
        var ranges: [(Int, Int)] = []
        for cpu in cpus.sorted() {
            if let last = ranges.last, last.1 + 1 == cpu {
                ranges[ranges.count - 1].1 = cpu
            } else {
                ranges.append((cpu, cpu))
            }
        }
        return ranges.map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)-\($0.1)" }.joined(separator: ",")
    }

    /// `count` groups of `cpus` for as many worker processes on one machine: contiguous
    /// groups of equal size (the first ones one larger when they do not divide) when there
    /// are at least as many CPUs as workers, one CPU each, in turn, when there are fewer.
    public static func groups(of cpus: [Int], count: Int) -> [[Int]] {
        guard count > 0, !cpus.isEmpty else { return [] }
        guard cpus.count >= count else { return (0..<count).map { [cpus[$0 % cpus.count]] } }
        var groups: [[Int]] = []
        var start = 0
        for index in 0..<count {
            let size = cpus.count / count + (index < cpus.count % count ? 1 : 0)
            groups.append(Array(cpus[start..<start + size]))
            start += size
        }
        return groups
    }
}
