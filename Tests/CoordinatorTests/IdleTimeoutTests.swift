import Coordinator
import Testing

/// The idle limit as a pure state machine on a fake clock: it reports while waiting and
/// ends the run only after a whole `limit` without any live worker.
struct IdleTimeoutTests {
    @Test func waitingIsReportedAtEachIntervalAndExpiresAtTheLimit() {
        var idle = IdleTimeout(limit: 30, reportInterval: 10)
        #expect(idle.observe(liveWorkers: 0, now: 0) == nil)
        #expect(idle.observe(liveWorkers: 0, now: 9.9) == nil)
        #expect(idle.observe(liveWorkers: 0, now: 10) == .waiting(idleSeconds: 10))
        #expect(idle.observe(liveWorkers: 0, now: 15) == nil)
        // A stalled loop that skips several intervals reports once, not once per interval.
        #expect(idle.observe(liveWorkers: 0, now: 29) == .waiting(idleSeconds: 29))
        #expect(idle.observe(liveWorkers: 0, now: 29.5) == nil)
        #expect(idle.observe(liveWorkers: 0, now: 30) == .expired(idleSeconds: 30))
    }

    @Test func aLiveWorkerRestartsTheClock() {
        var idle = IdleTimeout(limit: 30, reportInterval: 10)
        #expect(idle.observe(liveWorkers: 0, now: 25) == .waiting(idleSeconds: 25))
        #expect(idle.observe(liveWorkers: 2, now: 26) == nil)
        #expect(idle.idleSince == nil)
        #expect(idle.observe(liveWorkers: 2, now: 500) == nil)
        // The workers died at 500: a new spell, with its own reports.
        #expect(idle.observe(liveWorkers: 0, now: 501) == nil)
        #expect(idle.idleSince == 501)
        #expect(idle.observe(liveWorkers: 0, now: 511) == .waiting(idleSeconds: 10))
        #expect(idle.observe(liveWorkers: 0, now: 530.5) == .waiting(idleSeconds: 29.5))
        #expect(idle.observe(liveWorkers: 0, now: 531) == .expired(idleSeconds: 30))
    }
}
