import Core

/// Statistics collected in this process: the calibration of `calib run` without workers.
extension CalibrationPlan {
    /// Runs the images of `dataset` whose indices are `indices` and returns their statistics.
    public func collect(
        dataset: CalibrationDataset, indices: Range<Int>? = nil, threads: Int = 0, interpolation: Interpolation = .bilinear,
        channelOrder: ChannelOrder = .rgb, reader: ImageReader = .pillow, progress: (Int) -> Void = { _ in }
    ) throws -> CalibrationStatistics {
        let collector = try StatisticsCollector(
            graph: graph, plan: quantization, biasCorrection: biasCorrection, runtime: OpenVINORuntime(), threads: threads, input: input,
            collection: collection)
        var statistics = emptyStatistics()
        progress(0)
        try collector.collect(
            images: Array(indices ?? 0..<dataset.count),
            input: { [input] index in
                try dataset.values(at: index, for: input, interpolation: interpolation, channelOrder: channelOrder, reader: reader)
            }, into: &statistics, progress: progress)
        return statistics
    }

}
