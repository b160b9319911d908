import Foundation

/// The SSD default (anchor) boxes of MLPerf's ssd-resnet34, computed the way its
/// reference code does for any input size: one set of boxes per location of each head
/// map, in `(cx, cy, w, h)` relative to the image, clamped to [0, 1].
public struct DefaultBoxes: Sendable, Equatable {
    /// Boxes as `[cx, cy, w, h]` rows, in source order, then row, column, box.
    public let boxes: [Float]

    /// Number of boxes.
    public var count: Int { boxes.count / 4 }

    /// - Parameters:
    ///   - imageSize: the square input resolution.
    ///   - featureSizes: the head map sizes, one per source.
    ///   - aspectRatios: the extra aspect ratios per source (`[2]` gives 4 boxes, `[2, 3]` gives 6).
    public init(imageSize: Int, featureSizes: [Int], aspectRatios: [[Double]]) {
        let size = Double(imageSize)
        let steps = featureSizes.map { Double(Int(size / Double($0))) }
        let scales = [21.0, 45, 99, 153, 207, 261, 315].map { Double(Int($0 * size / 300)) }
        var boxes = [Float]()
        for (index, mapSize) in featureSizes.enumerated() {
            let cellsPerImage = size / steps[index]
            let small = scales[index] / size
            let large = scales[index + 1] / size
            let middle = (small * large).squareRoot()
            var sizes = [(small, small), (middle, middle)]
            for ratio in aspectRatios[index] {
                let width = small * ratio.squareRoot()
                let height = small / ratio.squareRoot()
                sizes.append((width, height))
                sizes.append((height, width))
            }
            for row in 0..<mapSize {
                for column in 0..<mapSize {
                    for (width, height) in sizes {
                        let centerX = (Double(column) + 0.5) / cellsPerImage
                        let centerY = (Double(row) + 0.5) / cellsPerImage
                        for value in [centerX, centerY, width, height] {
                            boxes.append(Float(min(max(value, 0), 1)))
                        }
                    }
                }
            }
        }
        self.boxes = boxes
    }
}
