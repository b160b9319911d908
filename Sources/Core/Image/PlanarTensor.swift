/// Conversion to the network input layout: OpenVINO IRs take NCHW float tensors, and
/// with mean and scale folded into the IR the values stay raw 0...255.
extension RGBImage {
    /// The image as one NCHW tensor with N = 1, C = 3 planes in `channelOrder`,
    /// H = `height`, W = `width`; `3 * height * width` values in 0...255.
    public func planarTensor(channelOrder: ChannelOrder) -> [Float] {
        let plane = width * height
        let planeSources = channelOrder == .rgb ? [0, 1, 2] : [2, 1, 0]
        return [Float](unsafeUninitializedCapacity: plane * 3) { tensor, initialized in
            pixels.withUnsafeBufferPointer { source in
                for (channel, sourceChannel) in planeSources.enumerated() {
                    let base = channel * plane
                    for p in 0..<plane {
                        tensor[base + p] = Float(source[p * 3 + sourceChannel])
                    }
                }
            }
            initialized = plane * 3
        }
    }
}
