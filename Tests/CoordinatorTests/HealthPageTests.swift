import Coordinator
import Protocol
import Testing

/// The health page people open on the metrics port.
struct HealthPageTests {
    let workers = [
        WorkerReport(
            id: "00aa", host: "node-1", pid: 41, threads: 4, state: .working, currentShard: 7, imagesDone: 12,
            imagesPerSecond: 0.5, lastHeartbeatAge: 0.4, residentBytes: 2_500_000_000, errors: 0, instructionSet: "AVX2"),
        WorkerReport(
            id: "00ab", host: "<script>alert(1)</script>", pid: 42, threads: 4, state: .dead, currentShard: nil, imagesDone: 3,
            imagesPerSecond: 0.1, lastHeartbeatAge: 31, residentBytes: 0, errors: 2, instructionSet: "AVX2"),
    ]

    func history(upTo seconds: Int, imagesPerSecond: Int) -> ThroughputHistory {
        var history = ThroughputHistory(interval: 1)
        for second in 0...seconds { history.record(seconds: Double(second), imagesDone: UInt32(second * imagesPerSecond)) }
        return history
    }

    @Test func thePageShowsProgressTimeLeftAndEveryWorker() {
        let status = ClusterStatus(
            jobID: "job-1", imagesDone: 20, images: 100, shardsDone: 5, shards: 25, elapsedSeconds: 3725, workers: workers,
            instructionSet: "AVX2")
        let page = HealthPage.render(status, history: history(upTo: 10, imagesPerSecond: 2))
        #expect(page.hasPrefix("<!doctype html>"))
        #expect(page.contains("<meta http-equiv=\"refresh\" content=\"2\">"))
        #expect(page.contains("20 of 100 images (20 %) · 5 of 25 shards · running 1:02:05 · about 0:00:40 left · 1 worker alive, 1 dead"))
        #expect(page.contains("width: 20.0%"))
        #expect(page.contains("<td><code>00aa</code></td><td>node-1</td><td><span class=\"working\">working</span></td><td>7</td><td>12</td><td>0.50</td><td>0.4 s ago</td><td>2500 MB</td><td>0</td>"))
        #expect(page.contains("<span class=\"dead\">dead</span></td><td>–</td><td>3</td>"))
        #expect(page.contains("<polyline"))
        #expect(page.contains("Instruction set: AVX2"))
    }

    @Test func namesFromWorkersCannotInjectMarkup() {
        let status = ClusterStatus(jobID: "j", imagesDone: 0, images: 1, shardsDone: 0, shards: 1, elapsedSeconds: 0, workers: workers)
        let page = HealthPage.render(status, history: ThroughputHistory())
        #expect(!page.contains("<script>"))
        #expect(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
    }

    @Test func anEmptyRunSaysWhatIsMissing() {
        let status = ClusterStatus(jobID: "j", imagesDone: 0, images: 8, shardsDone: 0, shards: 2, elapsedSeconds: 1, workers: [])
        let page = HealthPage.render(status, history: ThroughputHistory())
        #expect(page.contains("time left not known yet"))
        #expect(page.contains("No worker has joined yet."))
        #expect(page.contains("The plot starts after two samples"))
        #expect(page.contains("Instruction set: each worker its own"))
    }

    @Test func aFinishedRunShowsNoTimeLeft() {
        let status = ClusterStatus(jobID: "j", imagesDone: 8, images: 8, shardsDone: 2, shards: 2, elapsedSeconds: 9, workers: workers)
        let page = HealthPage.render(status, history: history(upTo: 4, imagesPerSecond: 2))
        #expect(page.contains("8 of 8 images (100 %)"))
        #expect(!page.contains("left ·") && !page.contains("not known"))
    }
}
