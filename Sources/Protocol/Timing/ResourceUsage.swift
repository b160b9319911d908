#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// CPU time and memory of this process, its threads and its children, for the figures
/// the benchmarks and the coordinator's counters report.
public enum ResourceUsage {
    /// CPU seconds the calling thread has used.
    public static var threadCPUSeconds: Double {
        var time = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) * 1e-9
    }

    /// CPU seconds (user and system) this process has used, all threads.
    public static var processCPUSeconds: Double { cpuSeconds(of: usage(RUSAGE_SELF)) }

    /// CPU seconds (user and system) of this process's children that ended and were waited for.
    public static var childrenCPUSeconds: Double { cpuSeconds(of: usage(RUSAGE_CHILDREN)) }

    /// The most resident memory this process has had, megabytes.
    public static var peakResidentMegabytes: Double { Double(usage(RUSAGE_SELF).ru_maxrss) / 1024 }

    private static func usage(_ who: __rusage_who) -> rusage {
        var usage = rusage()
        getrusage(who.rawValue, &usage)
        return usage
    }

    private static func cpuSeconds(of usage: rusage) -> Double {
        Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) * 1e-6
    }
}
