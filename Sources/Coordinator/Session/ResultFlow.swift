import Protocol

/// Flow control for results, as a pure state machine: workers offer results, and the
/// coordinator grants at most `limit` at a time, so the results it holds (arriving,
/// being verified, being merged) stay under a fixed count whatever the
/// number of workers. A result is held from its grant until the shell settles it.
///
/// Offers are granted oldest first. A grant to a worker that goes away stops counting;
/// if that worker was alive after all and its result still comes, it is taken (over the
/// limit by at most its own grants).
public struct ResultFlow: Sendable {
    /// One result: a shard as computed by a worker.
    public struct Key: Hashable, Sendable {
        public let shard: Int
        public let worker: WorkerID

        public init(shard: Int, worker: WorkerID) {
            self.shard = shard
            self.worker = worker
        }
    }

    /// Results held at most at once.
    public let limit: Int
    private var offers: [Key] = []
    private var offersStart = 0
    /// Granted results that have not arrived.
    private var granted = Set<Key>()
    /// Granted results not settled: what counts against `limit`.
    private var holding = Set<Key>()
    /// Grants to workers that went away.
    private var expired = Set<Key>()

    public init(limit: Int) {
        precondition(limit >= 1, "at least one result must be allowed in flight")
        self.limit = limit
    }

    /// Results granted and not settled.
    public var inFlight: Int { holding.count }

    /// Offers waiting for a grant.
    public var waiting: Int { offers.count - offersStart }

    /// A worker offers a result; false when it is offered or held already.
    public mutating func offer(_ key: Key) -> Bool {
        guard !holding.contains(key), !offers[offersStart...].contains(key) else { return false }
        offers.append(key)
        return true
    }

    /// Grants waiting offers, oldest first, while fewer than `limit` are held; offers
    /// `wanted` refuses are dropped and returned apart, for the shell to tell the worker.
    public mutating func grant(wanted: (Key) -> Bool) -> (grants: [Key], drops: [Key]) {
        var grants: [Key] = []
        var drops: [Key] = []
        while offersStart < offers.count, holding.count < limit {
            let key = offers[offersStart]
            offersStart += 1
            if wanted(key) {
                holding.insert(key)
                granted.insert(key)
                grants.append(key)
            } else {
                drops.append(key)
            }
        }
        compact()
        return (grants, drops)
    }

    /// A result arrived; false when it was never granted (a worker ignoring flow control).
    public mutating func arrived(_ key: Key) -> Bool {
        if granted.remove(key) != nil { return true }
        guard expired.remove(key) != nil else { return false }
        holding.insert(key)
        return true
    }

    /// The shell is done with a held result (merged, or dropped).
    public mutating func settle(_ key: Key) {
        holding.remove(key)
    }

    /// `worker` went away: its offers are dropped and its outstanding grants stop counting.
    public mutating func forget(_ worker: WorkerID) {
        offers = offers[offersStart...].filter { $0.worker != worker }
        offersStart = 0
        for key in granted where key.worker == worker {
            granted.remove(key)
            holding.remove(key)
            expired.insert(key)
        }
    }

    private mutating func compact() {
        if offersStart > 1024, offersStart * 2 > offers.count {
            offers.removeFirst(offersStart)
            offersStart = 0
        }
    }
}
