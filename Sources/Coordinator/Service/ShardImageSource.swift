import Dispatch
import Foundation
import Protocol

/// Reads shards' image files ahead of need on a thread of its own, so the network loop
/// never waits for the disk: `prefetch` names the shards that go out next, `shard`
/// takes one (reading it on the spot only if it was not read ahead).
final class ShardImageSource: @unchecked Sendable {
    private let plan: ShardPlan
    private let read: @Sendable (Int) throws -> ShardImage
    private let queue = DispatchQueue(label: "calib.images")
    private let lock = NSLock()
    private var ready: [Int: Result<Shard, any Error>] = [:]
    private var requested = Set<Int>()

    /// - Parameter read: the image of a calibration-set index, as sent (name and bytes).
    init(plan: ShardPlan, read: @escaping @Sendable (Int) throws -> ShardImage) {
        self.plan = plan
        self.read = read
    }

    /// Starts reading `shards` that are not read or being read yet.
    func prefetch(_ shards: some Sequence<Int>) {
        lock.lock()
        let fresh = shards.filter { requested.insert($0).inserted }
        lock.unlock()
        guard !fresh.isEmpty else { return }
        queue.async {
            for shard in fresh {
                let outcome = Result { try self.load(shard) }
                self.lock.lock()
                // Taken meanwhile (read on the spot): nobody waits for this copy.
                if self.requested.contains(shard) { self.ready[shard] = outcome }
                self.lock.unlock()
            }
        }
    }

    /// The shard's message, read ahead or now.
    /// - Throws: the read error of one of its images.
    func shard(_ shard: Int) throws -> Shard {
        lock.lock()
        let outcome = ready.removeValue(forKey: shard)
        requested.remove(shard)
        lock.unlock()
        if let outcome { return try outcome.get() }
        return try load(shard)
    }

    private func load(_ shard: Int) throws -> Shard {
        Shard(id: UInt32(shard), images: try plan.shards[shard].map(read))
    }
}
