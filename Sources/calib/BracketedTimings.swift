/// Seconds per image of plain inference and of the modes measured against it, taken in
/// turns (plain, mode 1, plain, mode 2, plain, ..., for each round), so that each pass of
/// a mode is compared with the plain passes just before and after it. A shared machine
/// drifts by several per cent within one run (plain inference at 1200x1200 moved by 6 %
/// between the start and the end of one benchmark on 2026-12-02), as much as the
/// differences measured; bracketing each pass cancels a slow drift.
struct BracketedTimings {
    /// One mode's passes, one per round.
    struct Mode {
        /// Seconds per image of each pass.
        let seconds: [Double]
        /// Each pass's seconds over the mean of the plain passes around it.
        let ratios: [Double]

        var medianSeconds: Double { seconds.median }
        var medianRatio: Double { ratios.median }
    }

    /// Seconds per image of every plain pass, in the order they ran (one more than the
    /// passes of all modes together).
    let plain: [Double]
    /// The modes, in the order given.
    let modes: [Mode]

    /// Runs `rounds` rounds of `modes` (each a pass over the images returning seconds per
    /// image), every pass preceded and followed by a pass of `plain`.
    init(rounds: Int, plain: () throws -> Double, modes: [() throws -> Double]) throws {
        precondition(rounds > 0 && !modes.isEmpty, "nothing to measure")
        var plainPasses = [try plain()]
        var seconds = [[Double]](repeating: [], count: modes.count)
        var ratios = seconds
        for _ in 0..<rounds {
            for (index, mode) in modes.enumerated() {
                let before = plainPasses.last!
                let pass = try mode()
                let after = try plain()
                plainPasses.append(after)
                seconds[index].append(pass)
                ratios[index].append(pass / ((before + after) / 2))
            }
        }
        self.plain = plainPasses
        self.modes = zip(seconds, ratios).map { Mode(seconds: $0, ratios: $1) }
    }
}

extension Array where Element == Double {
    /// The middle value (the mean of the two middle ones for an even count); 0 when empty.
    var median: Double {
        guard !isEmpty else { return 0 }
        let sorted = self.sorted()
        return (sorted[(count - 1) / 2] + sorted[count / 2]) / 2
    }
}
