import Coordinator
import Protocol
import Testing

/// The status `calib status` and the metrics endpoint show, built from scheduler events.
struct WorkerRegistryTests {
    let a = WorkerID([0, 1])
    let b = WorkerID([0, 2])
    let c = WorkerID([0, 3])

    func hello(_ host: String) -> Hello {
        Hello(calibVersion: "0.4.0", openVINOVersion: "2026.4.1", host: host, pid: 10, threads: 2)
    }

    /// Three workers: `a` works and reports, `b` completes a shard then goes silent, `c` leaves.
    func scenario() -> (ShardScheduler, WorkerRegistry) {
        var scheduler = ShardScheduler(plan: ShardPlan(imageCount: 8, size: 2), heartbeatInterval: 1, missedHeartbeats: 3)
        var registry = WorkerRegistry()
        for (id, host) in [(a, "alpha"), (b, "beta"), (c, "gamma")] {
            scheduler.workerJoined(id, now: 0)
            registry.joined(id, hello: hello(host))
        }
        #expect(scheduler.requestShards(for: a, capacity: 1, now: 0) == [0])
        #expect(scheduler.requestShards(for: b, capacity: 1, now: 0) == [1])
        #expect(scheduler.completed(shard: 1, by: b, now: 1) == .accepted)
        #expect(scheduler.requestShards(for: b, capacity: 1, now: 1) == [2])
        registry.reported(a, status: WorkerStatus(imagesDone: 4, currentShard: 0, residentBytes: 3_000_000, errors: 0))
        scheduler.heard(from: a, now: 3.5)
        scheduler.failed(shard: 2, by: b, now: 1.5, reason: "bad image")
        registry.failed(b)
        scheduler.workerLeft(c, now: 2)
        registry.left(c)
        #expect(scheduler.tick(now: 5) == [b])
        return (scheduler, registry)
    }

    @Test func statusShowsEachWorkersStateShardRateAndErrors() {
        let (scheduler, registry) = scenario()
        let status = registry.status(scheduler: scheduler, jobID: "job", now: 5)
        #expect(status.imagesDone == 2 && status.images == 8 && status.shardsDone == 1 && status.shards == 4)
        #expect(status.workers.map(\.host) == ["alpha", "beta", "gamma"])
        let (alpha, beta, gamma) = (status.workers[0], status.workers[1], status.workers[2])
        #expect(alpha.state == .working && alpha.currentShard == 0 && alpha.imagesPerSecond == 4.0 / 5)
        #expect(alpha.lastHeartbeatAge == 1.5 && alpha.residentBytes == 3_000_000)
        #expect(beta.state == .dead && beta.currentShard == nil && beta.imagesDone == 2 && beta.errors == 1)
        #expect(beta.lastHeartbeatAge == 3.5)
        // No heartbeat carried beta's own count: its accepted images give its rate, up to its last message.
        #expect(beta.imagesPerSecond == 2.0 / 1.5)
        #expect(gamma.state == .left && gamma.id == "0003")
    }

    @Test func aWorkerThatSaysHelloAgainStartsAFreshEntry() {
        var (scheduler, registry) = scenario()
        scheduler.workerJoined(b, now: 6)
        registry.joined(b, hello: hello("beta-2"))
        let beta = registry.status(scheduler: scheduler, jobID: "job", now: 6).workers[1]
        #expect(beta.host == "beta-2" && beta.state == .idle && beta.errors == 0)
    }

    @Test func prometheusTextHasOneSamplePerWorkerAndEscapedLabels() {
        var (scheduler, registry) = scenario()
        let d = WorkerID([0, 4])
        scheduler.workerJoined(d, now: 5)
        registry.joined(d, hello: hello("we\"ird\\host\n"))
        let text = PrometheusMetrics.render(registry.status(scheduler: scheduler, jobID: "job", now: 5))
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.contains("calib_images_done{job_id=\"job\"} 2"))
        #expect(lines.contains("calib_workers{state=\"dead\"} 1"))
        #expect(lines.contains("calib_workers{state=\"left\"} 1"))
        #expect(lines.contains("calib_worker_up{worker=\"0002\",host=\"beta\"} 0"))
        #expect(lines.contains("calib_worker_images_per_second{worker=\"0001\",host=\"alpha\"} 0.800"))
        #expect(lines.contains("calib_worker_errors_total{worker=\"0002\",host=\"beta\"} 1"))
        #expect(lines.contains("calib_worker_up{worker=\"0004\",host=\"we\\\"ird\\\\host\\n\"} 1"))
        // Every sample line belongs to a family announced with HELP and TYPE.
        let families = Set(lines.filter { $0.hasPrefix("# TYPE ") }.map { $0.split(separator: " ")[2] })
        for line in lines where !line.hasPrefix("#") {
            #expect(families.contains(line.prefix { $0 != "{" && $0 != " " }), "\(line)")
        }
    }
}
