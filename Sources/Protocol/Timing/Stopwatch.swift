/// Seconds elapsed since a starting point, read from a monotonic clock.
///
/// Every timeout in calib (heartbeats, liveness, idle limits, reconnect back-off) is
/// measured with it rather than with the wall clock, so a clock step (NTP, a manual
/// `date -s`, a suspended VM) can neither declare every worker dead nor keep a dead
/// one alive.
public struct Stopwatch: Sendable {
    private let start: ContinuousClock.Instant

    /// Starts counting now.
    public init() {
        start = ContinuousClock.now
    }

    /// Seconds since `init`, never decreasing.
    public var seconds: Double {
        (ContinuousClock.now - start) / .seconds(1)
    }
}
