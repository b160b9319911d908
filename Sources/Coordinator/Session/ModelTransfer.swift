import Protocol

/// The coordinator's side of model transfers, as a pure state machine: it answers
/// workers' `modelFetch`es with chunks of one shared copy of the model, and keeps the
/// bytes sent but not yet acknowledged, over all workers together, under `budget`.
///
/// A fetch that would go over the budget waits in a queue (a few bytes each) and is
/// served, oldest first, as acknowledgements come in or workers go away. So the
/// coordinator's memory for transfers is the model plus `budget`, whatever the number
/// of workers; and because chunks are small, heartbeats and results interleave with them.
public struct ModelTransfer: Sendable {
    private struct Request: Sendable {
        let worker: WorkerID
        /// The offset asked for, echoed in the chunk even past the end.
        let offset: UInt64
        let count: Int
    }

    /// The model's digest: fetches of another model are refused by the session.
    public let digest: String
    /// The model's IR text, which comes first in its bytes.
    private let xml: [UInt8]
    /// The model's weights, which follow the IR text (shared with the graph, not copied).
    private let weights: [UInt8]
    /// Most bytes in flight over all workers.
    public let budget: Int

    /// Bytes sent to each worker in its current download.
    private var sent: [WorkerID: Int] = [:]
    /// Bytes sent to each worker and not yet acknowledged.
    private var unacknowledged: [WorkerID: Int] = [:]
    private var waiting: [Request] = []
    private var waitingStart = 0
    /// Bytes sent and not acknowledged, over all workers.
    public private(set) var bytesInFlight = 0
    /// The most `bytesInFlight` ever was.
    public private(set) var peakBytesInFlight = 0
    /// Model bytes sent in all.
    public private(set) var bytesSent = 0

    /// - Parameter budget: bytes in flight over all workers; at least one chunk is always
    ///   allowed, so a budget below the chunk size still makes progress.
    public init(digest: String, xml: [UInt8], weights: [UInt8], budget: Int = 64 << 20) {
        self.digest = digest
        self.xml = xml
        self.weights = weights
        self.budget = budget
    }

    /// Fetches waiting for room in the budget.
    public var waitingCount: Int { waiting.count - waitingStart }

    /// A worker's fetch: records what it acknowledges, queues what it asks, and returns
    /// the chunks to send now (to it or to workers whose fetches were waiting).
    public mutating func fetch(_ fetch: ModelFetch, from worker: WorkerID) -> [(WorkerID, Message)] {
        if fetch.offset == 0, fetch.received == 0 {
            // A new download (a first fetch) starts the worker's count again.
            release(worker)
            sent[worker] = 0
        }
        let received = Int(clamping: fetch.received)
        let outstanding = max(0, sent[worker, default: 0] - received)
        bytesInFlight -= unacknowledged[worker, default: 0] - outstanding
        unacknowledged[worker] = outstanding
        if fetch.count > 0 {
            waiting.append(
                Request(worker: worker, offset: fetch.offset, count: min(Int(fetch.count), ModelTransferLimits.maxChunkBytes)))
        }
        return serveWaiting()
    }

    /// A worker left, died or was cut off: its bytes in flight and its waiting fetches
    /// are forgotten; returns the chunks that now fit.
    public mutating func forget(_ worker: WorkerID) -> [(WorkerID, Message)] {
        release(worker)
        sent[worker] = nil
        waiting = waiting[waitingStart...].filter { $0.worker != worker }
        waitingStart = 0
        return serveWaiting()
    }

    private mutating func release(_ worker: WorkerID) {
        bytesInFlight -= unacknowledged.removeValue(forKey: worker) ?? 0
    }

    /// Serves waiting fetches in order while they fit the budget (or nothing is in flight).
    private mutating func serveWaiting() -> [(WorkerID, Message)] {
        var chunks: [(WorkerID, Message)] = []
        while waitingStart < waiting.count {
            let request = waiting[waitingStart]
            let total = xml.count + weights.count
            let start = request.offset >= UInt64(total) ? total : Int(request.offset)
            let end = min(total, start + request.count)
            let size = end - start
            guard bytesInFlight == 0 || bytesInFlight + size <= budget else { break }
            waitingStart += 1
            sent[request.worker, default: 0] += size
            unacknowledged[request.worker, default: 0] += size
            bytesInFlight += size
            bytesSent += size
            peakBytesInFlight = max(peakBytesInFlight, bytesInFlight)
            let chunk = ModelChunk(
                digest: digest, offset: request.offset, totalBytes: UInt64(total), xmlBytes: UInt64(xml.count),
                data: bytes(start..<end))
            chunks.append((request.worker, .modelChunk(chunk)))
        }
        if waitingStart > 1024, waitingStart * 2 > waiting.count {
            waiting.removeFirst(waitingStart)
            waitingStart = 0
        }
        return chunks
    }

    /// The model's bytes in `range`, which may span the IR text and the weights.
    private func bytes(_ range: Range<Int>) -> [UInt8] {
        let split = xml.count
        if range.upperBound <= split { return Array(xml[range]) }
        if range.lowerBound >= split { return Array(weights[range.lowerBound - split..<range.upperBound - split]) }
        return Array(xml[range.lowerBound...]) + weights[..<(range.upperBound - split)]
    }
}
