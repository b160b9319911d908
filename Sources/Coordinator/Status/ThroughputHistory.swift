/// The run's progress over time, for the health page's plot and its estimate of the time
/// left: samples of (seconds since serving began, images merged), evenly spaced and at
/// most `capacity` of them. When full, every other sample goes and the spacing doubles,
/// so a run of any length is drawn from the same bounded memory.
public struct ThroughputHistory: Sendable, Equatable {
    /// The run at one moment.
    public struct Sample: Sendable, Equatable {
        /// Seconds since the coordinator began serving.
        public let seconds: Double
        /// Images merged by then, resumed ones included.
        public let imagesDone: UInt32

        public init(seconds: Double, imagesDone: UInt32) {
            self.seconds = seconds
            self.imagesDone = imagesDone
        }
    }

    /// Samples, oldest first.
    public private(set) var samples: [Sample] = []
    /// Seconds between samples now; doubles each time the history is thinned.
    public private(set) var interval: Double
    /// Samples kept at most (at least 2).
    public let capacity: Int

    /// - Parameters:
    ///   - interval: seconds between samples at the start (> 0).
    ///   - capacity: samples kept at most (≥ 2).
    public init(interval: Double = 1, capacity: Int = 240) {
        precondition(interval > 0 && capacity >= 2, "a history needs a positive interval and room for two samples")
        self.interval = interval
        self.capacity = capacity
    }

    /// Notes the progress at `seconds`; kept only when `interval` has passed since the last sample.
    public mutating func record(seconds: Double, imagesDone: UInt32) {
        if let last = samples.last, seconds - last.seconds < interval { return }
        samples.append(Sample(seconds: seconds, imagesDone: imagesDone))
        if samples.count > capacity {
            samples = stride(from: 0, to: samples.count, by: 2).map { samples[$0] }
            interval *= 2
        }
    }

    /// Images merged per second at each sample after the first, averaged over up to
    /// `span` sample intervals back (results arrive in bursts; a span of several
    /// intervals smooths them).
    public func rates(span: Int = 5) -> [(seconds: Double, imagesPerSecond: Double)] {
        precondition(span >= 1, "a rate spans at least one interval")
        return samples.indices.dropFirst().map { index in
            let later = samples[index]
            let earlier = samples[max(0, index - span)]
            return (later.seconds, (Double(later.imagesDone) - Double(earlier.imagesDone)) / (later.seconds - earlier.seconds))
        }
    }

    /// Seconds until `total` images are merged at the pace of the last `window` seconds,
    /// or nil while that pace is unknown or zero.
    public func secondsLeft(total: UInt32, window: Double = 60) -> Double? {
        guard let last = samples.last else { return nil }
        guard last.imagesDone < total else { return 0 }
        let first = samples.last { last.seconds - $0.seconds >= window } ?? samples[0]
        let images = Double(last.imagesDone) - Double(first.imagesDone)
        guard last.seconds > first.seconds, images > 0 else { return nil }
        return Double(total - last.imagesDone) * (last.seconds - first.seconds) / images
    }
}
