import ArgumentParser

/// The load `calib benchmark-coordinator` puts on a coordinator, shared with the hidden
/// `calib simulated-workers` process that produces it.
struct SimulatedLoad: ParsableArguments {
    @Option(help: "Simulated workers.")
    var workers = 256

    @Option(help: "Calibration images.")
    var images = 1024

    @Option(help: "Images per shard.")
    var shardSize = 2

    @Option(help: "Simulated inference time per image, seconds.")
    var secondsPerImage = 1.0

    @Option(help: "Values per tensor and image fed to the statistics of each simulated result.")
    var samplesPerTensor = 20_000

    @Option(help: "Model resolution whose probed tensors the results describe.")
    var resolution = 1200

    func validate() throws {
        try OptionRange.require(workers >= 1, "--workers", "at least 1", workers)
        try OptionRange.require(images >= 1, "--images", "at least 1", images)
        try OptionRange.require(shardSize >= 1, "--shard-size", "at least 1", shardSize)
        try OptionRange.require(secondsPerImage >= 0 && secondsPerImage.isFinite, "--seconds-per-image", "0 or more", secondsPerImage)
        try OptionRange.require(samplesPerTensor >= 1, "--samples-per-tensor", "at least 1", samplesPerTensor)
        try OptionRange.require(resolution >= 64, "--resolution", "at least 64", resolution)
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
