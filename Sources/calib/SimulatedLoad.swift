import ArgumentParser

/// The load `calib benchmark-coordinator` puts on a coordinator, shared with the hidden
/// `calib simulated-workers` process that produces it.
struct SimulatedLoad: ParsableArguments {
    @Option(parsing: .unconditional, help: "Simulated workers.")
    var workers = 256

    @Option(parsing: .unconditional, help: "Calibration images.")
    var images = 1024

    @Option(parsing: .unconditional, help: "Images per shard.")
    var shardSize = 2

    @Option(parsing: .unconditional, help: "Simulated inference time per image, seconds.")
    var secondsPerImage = 1.0

    @Option(parsing: .unconditional, help: "Values per tensor and image fed to the statistics of each simulated result (at most 1000000).")
    var samplesPerTensor = 20_000

    @Option(parsing: .unconditional, help: "Model resolution whose probed tensors the results describe.")
    var resolution = 1200

    func validate() throws {
        // Each simulated worker is a socket of one process; each shard's result is kept in memory.
        try OptionRange.require((1...4096).contains(workers), "--workers", "between 1 and 4096", workers)
        try OptionRange.require((1...8192).contains(images), "--images", "between 1 and 8192", images)
        try OptionRange.require(shardSize >= 1, "--shard-size", "at least 1", shardSize)
        try OptionRange.require((0...3600).contains(secondsPerImage), "--seconds-per-image", "between 0 and 3600", secondsPerImage)
        // The simulator keeps this many floats per tensor and per concurrent shard.
        try OptionRange.require(
            (1...1_000_000).contains(samplesPerTensor), "--samples-per-tensor", "between 1 and 1000000", samplesPerTensor)
        try OptionRange.require((64...2400).contains(resolution), "--resolution", "between 64 and 2400", resolution)
    }

    /// The options as arguments, to start the simulator with the same load.
    var arguments: [String] {
        [
            "--workers", "\(workers)", "--images", "\(images)", "--shard-size", "\(shardSize)",
            "--seconds-per-image", "\(secondsPerImage)", "--samples-per-tensor", "\(samplesPerTensor)",
            "--resolution", "\(resolution)",
        ]
    }
}
