import Coordinator
import Testing

/// The progress samples behind the health page's plot and time left.
struct ThroughputHistoryTests {
    @Test func samplesAreSpacedByTheInterval() {
        var history = ThroughputHistory(interval: 1, capacity: 10)
        for tenth in 0...30 { history.record(seconds: Double(tenth) / 10, imagesDone: UInt32(tenth)) }
        #expect(history.samples.map(\.seconds) == [0, 1, 2, 3])
        #expect(history.samples.map(\.imagesDone) == [0, 10, 20, 30])
        #expect(history.rates().map(\.imagesPerSecond) == [10, 10, 10])
        #expect(history.rates().map(\.seconds) == [1, 2, 3])
    }

    @Test func ratesAverageOverTheirSpan() {
        var history = ThroughputHistory(interval: 1)
        // Bursts: 4 images every other second.
        for second in 0...6 { history.record(seconds: Double(second), imagesDone: UInt32((second + 1) / 2 * 4)) }
        #expect(history.rates(span: 1).map(\.imagesPerSecond) == [4, 0, 4, 0, 4, 0])
        #expect(history.rates(span: 2).map(\.imagesPerSecond) == [4, 2, 2, 2, 2, 2])
    }

    @Test func aFullHistoryKeepsEveryOtherSampleAndDoublesItsInterval() {
        var history = ThroughputHistory(interval: 1, capacity: 4)
        for second in 0...4 { history.record(seconds: Double(second), imagesDone: UInt32(second * 2)) }
        #expect(history.samples.map(\.seconds) == [0, 2, 4])
        #expect(history.interval == 2)
        history.record(seconds: 5, imagesDone: 10)
        #expect(history.samples.count == 3, "a sample closer than the new interval is skipped")
        for second in 6...40 { history.record(seconds: Double(second), imagesDone: UInt32(second * 2)) }
        #expect(history.samples.count <= 4)
        #expect(history.samples.first?.seconds == 0)
    }

    @Test func timeLeftFollowsThePaceOfTheLastWindow() {
        var history = ThroughputHistory(interval: 1)
        #expect(history.secondsLeft(total: 100) == nil)
        // 1 image/s for 100 s, then 4 images/s: the estimate follows the recent pace.
        for second in 0...100 { history.record(seconds: Double(second), imagesDone: UInt32(second)) }
        for second in 101...160 { history.record(seconds: Double(second), imagesDone: UInt32(100 + (second - 100) * 4)) }
        #expect(history.secondsLeft(total: 440, window: 60) == 25)
        #expect(history.secondsLeft(total: 480, window: 60) == 35)
        #expect(history.secondsLeft(total: 300) == 0)
    }

    @Test func noPaceMeansNoEstimate() {
        var history = ThroughputHistory(interval: 1)
        for second in 0...5 { history.record(seconds: Double(second), imagesDone: 7) }
        #expect(history.secondsLeft(total: 10) == nil)
    }
}
