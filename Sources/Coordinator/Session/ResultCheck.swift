import Core
import Protocol

/// Whether a decoded result can be the statistics of the shard it claims, for the job
/// being run: right model, right tensors and per-channel figures, and exactly the
/// shard's images in each. Pure, so the merge threads run it on their own.
public struct ResultCheck: Sendable {
    public let plan: ShardPlan
    public let modelDigest: String
    public let tensorNames: [String]
    public let channelNames: [String]

    public init(plan: ShardPlan, modelDigest: String, tensorNames: [String], channelNames: [String]) {
        self.plan = plan
        self.modelDigest = modelDigest
        self.tensorNames = tensorNames
        self.channelNames = channelNames
    }

    /// Why `result` cannot be the statistics of `shard`, or nil when it can.
    public func problem(with result: VerifiedStatistics, shard: Int) -> String? {
        guard plan.shards.indices.contains(shard) else { return "shard \(shard) is not in the plan" }
        guard result.modelDigest == modelDigest else { return "it is for model \(result.modelDigest.prefix(12))" }
        guard result.tensorNames == tensorNames else { return "it has other tensors than the job" }
        guard result.channelNames == channelNames else { return "it has other per-channel figures than the job" }
        let images = Array(plan.shards[shard])
        guard result.tensorImages.allSatisfy({ $0 == images }), result.channelImages.allSatisfy({ $0 == images }) else {
            return "it does not hold exactly \(plan.images(of: shard)) in every tensor"
        }
        return nil
    }

    /// `bytes` checked, or why they are not the statistics of `shard`.
    public func verify(_ bytes: [UInt8], shard: Int) -> Result<VerifiedStatistics, ResultRejection> {
        let result: VerifiedStatistics
        do {
            result = try VerifiedStatistics(checking: bytes)
        } catch {
            return .failure(ResultRejection(reason: "\(error)"))
        }
        if let problem = problem(with: result, shard: shard) { return .failure(ResultRejection(reason: problem)) }
        return .success(result)
    }
}

/// Why a result was not taken, in words for the log.
public struct ResultRejection: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String

    public init(reason: String) {
        self.reason = reason
    }

    public var description: String { reason }
}
