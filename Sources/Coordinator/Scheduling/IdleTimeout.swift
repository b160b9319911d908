/// Ends a run that has had no live worker for too long, so that a coordinator whose
/// workers all died, were refused or never came does not wait for ever, and says so
/// while it waits.
///
/// A pure state machine on an injected clock (seconds): `observe` is fed the number of
/// live workers at each turn of the loop and answers with what to do. The coordinator
/// starts idle at time 0 (no worker has come yet).
public struct IdleTimeout: Sendable, Equatable {
    /// What the coordinator should do after an observation.
    public enum Event: Sendable, Equatable {
        /// Log that no worker has been live for `idleSeconds`, waiting at most `limit`.
        case waiting(idleSeconds: Double)
        /// Give up: no worker has been live for `idleSeconds` (at least `limit`).
        case expired(idleSeconds: Double)
    }

    /// Seconds without a live worker after which the run ends.
    public let limit: Double
    /// Seconds between two `waiting` events of one idle spell.
    public let reportInterval: Double
    /// Start of the current idle spell, nil while some worker is live.
    public private(set) var idleSince: Double?
    /// Idle seconds at which the next `waiting` event is due.
    private var nextReport: Double

    /// - Parameters:
    ///   - limit: seconds without a live worker that end the run (> 0).
    ///   - reportInterval: seconds between progress reports while idle (> 0).
    public init(limit: Double, reportInterval: Double = 10) {
        precondition(limit > 0 && reportInterval > 0, "idle limit and report interval must be positive")
        self.limit = limit
        self.reportInterval = reportInterval
        idleSince = 0
        nextReport = reportInterval
    }

    /// Records the number of live workers at time `now`; returns an event when one is due.
    public mutating func observe(liveWorkers: Int, now: Double) -> Event? {
        guard liveWorkers == 0 else {
            idleSince = nil
            return nil
        }
        let since = idleSince ?? now
        if idleSince == nil {
            idleSince = now
            nextReport = reportInterval
        }
        let idle = now - since
        if idle >= limit { return .expired(idleSeconds: idle) }
        guard idle >= nextReport else { return nil }
        while nextReport <= idle { nextReport += reportInterval }
        return .waiting(idleSeconds: idle)
    }
}
