/// Resampling with OpenCV's `cv2.resize` conventions, the ones the MLPerf harnesses and
/// POT's accuracy checker use: half-pixel centres (`src = (dst + 0.5) * in / out - 0.5`),
/// replicated borders, no antialiasing on downscaling. Bilinear is OpenCV's fixed-point
/// arithmetic bit for bit (`LinearResize.swift`); bicubic is computed in f32, rounded to
/// nearest and clamped to 0...255, and differs from OpenCV's by one level on a few
/// pixels in ten thousand.
extension RGBImage {
    /// Returns the image scaled to `width` x `height`, filtering each axis separately.
    public func resized(width newWidth: Int, height newHeight: Int, interpolation: Interpolation)
        throws(ImageError) -> RGBImage
    {
        guard let outputCount = RGBImage.byteCount(width: newWidth, height: newHeight) else {
            throw .invalidTargetSize(width: newWidth, height: newHeight)
        }
        if newWidth == width && newHeight == height { return self }
        if interpolation == .bilinear { return resizedLinear(width: newWidth, height: newHeight, outputCount: outputCount) }

        let columns = CubicTaps(source: width, destination: newWidth)
        let rows = CubicTaps(source: height, destination: newHeight)
        let rowLength = newWidth * 3

        // Horizontal pass: every source row filtered to the new width, kept in Float.
        var horizontal = [Float](repeating: 0, count: height * rowLength)
        pixels.withUnsafeBufferPointer { source in
            horizontal.withUnsafeMutableBufferPointer { target in
                columns.offsets.withUnsafeBufferPointer { offsets in
                    columns.weights.withUnsafeBufferPointer { weights in
                        let taps = columns.taps
                        for y in 0..<height {
                            let sourceRow = y * width * 3
                            var out = y * rowLength
                            for x in 0..<newWidth {
                                var red: Float = 0, green: Float = 0, blue: Float = 0
                                for k in x * taps..<(x + 1) * taps {
                                    let pixel = sourceRow + offsets[k] * 3
                                    let weight = weights[k]
                                    red += weight * Float(source[pixel])
                                    green += weight * Float(source[pixel + 1])
                                    blue += weight * Float(source[pixel + 2])
                                }
                                target[out] = red
                                target[out + 1] = green
                                target[out + 2] = blue
                                out += 3
                            }
                        }
                    }
                }
            }
        }

        // Vertical pass: blend the filtered rows, then round and clamp to bytes.
        var output = [UInt8](repeating: 0, count: outputCount)
        var accumulator = [Float](repeating: 0, count: rowLength)
        horizontal.withUnsafeBufferPointer { source in
            output.withUnsafeMutableBufferPointer { target in
                accumulator.withUnsafeMutableBufferPointer { sum in
                    for y in 0..<newHeight {
                        for j in 0..<rowLength { sum[j] = 0 }
                        for k in y * rows.taps..<(y + 1) * rows.taps {
                            let weight = rows.weights[k]
                            let sourceRow = rows.offsets[k] * rowLength
                            for j in 0..<rowLength {
                                sum[j] += weight * source[sourceRow + j]
                            }
                        }
                        let out = y * rowLength
                        for j in 0..<rowLength {
                            target[out + j] = UInt8(min(max(sum[j], 0), 255) + 0.5)
                        }
                    }
                }
            }
        }
        return RGBImage(validWidth: newWidth, validHeight: newHeight, pixels: output)
    }
}

/// The source indices (already clamped to the border) and bicubic weights that produce
/// each output sample along one axis, computed once per resize instead of once per pixel.
private struct CubicTaps {
    /// Source samples per output sample.
    let taps = 4
    /// `taps` clamped source indices per output sample.
    let offsets: [Int]
    /// `taps` weights per output sample, summing to 1.
    let weights: [Float]

    init(source: Int, destination: Int) {
        let scale = Double(source) / Double(destination)
        var offsets: [Int] = []
        var weights: [Float] = []
        offsets.reserveCapacity(destination * taps)
        weights.reserveCapacity(destination * taps)
        for d in 0..<destination {
            let centre = (Double(d) + 0.5) * scale - 0.5
            let floor = centre.rounded(.down)
            let fraction = centre - floor
            // Reads floor-1 ... floor+2.
            let first = Int(floor) - (taps / 2 - 1)
            for k in 0..<taps {
                offsets.append(min(max(first + k, 0), source - 1))
                let distance = abs(fraction + Double(taps / 2 - 1 - k))
                weights.append(Float(CubicTaps.keys(distance)))
            }
        }
        self.offsets = offsets
        self.weights = weights
    }

    /// Keys' cubic convolution kernel with a = -0.75 (OpenCV's choice) at distance `x >= 0`.
    private static func keys(_ x: Double) -> Double {
        let a = -0.75
        if x <= 1 { return ((a + 2) * x - (a + 3)) * x * x + 1 }
        if x < 2 { return ((a * x - 5 * a) * x + 8 * a) * x - 4 * a }
        return 0
    }
}
