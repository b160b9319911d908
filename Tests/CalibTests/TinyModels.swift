import Core
import Foundation
import Worker

/// Small IRs and image folders for process tests that must finish in seconds: a 16x16
/// input and two 3x3 convolutions instead of ssd-resnet34.
enum TinyModels {
    /// image [1,3,16,16] → `before` → conv 3x3 (4 channels, bias) → `activation` → conv 3x3 → result.
    /// - Parameters:
    ///   - activation: the type of the layer between the convolutions; one OpenVINO does
    ///     not know (say `FooBar`) makes the model fail to compile.
    ///   - before: what is done to the image first (nil: nothing).
    static func convolutions(
        activation: String = "Relu", before: ((inout GraphBuilder, TensorRef) -> TensorRef)? = nil
    ) -> IRGraph {
        var builder = GraphBuilder(name: "tiny")
        let image = builder.parameter(name: "image", dims: [1, 3, 16, 16])
        let input = before.map { $0(&builder, image) } ?? image
        let first = builder.convolution(
            input, weights: weights(&builder, "conv1.weight", [4, 3, 3, 3]), bias: bias(&builder, "conv1.bias"), stride: 1,
            padding: 1, name: "conv1")
        let activated = builder.unary(activation, first, name: "act1")
        let second = builder.convolution(
            activated, weights: weights(&builder, "conv2.weight", [4, 4, 3, 3]), bias: bias(&builder, "conv2.bias"), stride: 1,
            padding: 1, name: "conv2")
        builder.result(second, name: "out")
        return builder.graph
    }

    /// `1 / image` in front: black pixels give +infinity, and the convolution after it
    /// turns them into NaN and infinities of both signs.
    static func reciprocal() -> IRGraph {
        convolutions { builder, image in
            let one = builder.floatConstant(name: "one", dims: [1], values: [1])
            return builder.binary("Divide", one, image, name: "reciprocal")
        }
    }

    /// `(0·image) / (0·image)` in front: NaN everywhere, no finite value at all.
    static func allNaN() -> IRGraph {
        convolutions { builder, image in
            let zero = builder.floatConstant(name: "zero", dims: [1], values: [0])
            let zeroed = builder.binary("Multiply", image, zero, name: "zeroed")
            return builder.binary("Divide", zeroed, zeroed, name: "nan")
        }
    }

    /// Writes `count` 16x16 PNGs whose top-left quarter is black to `folder`; returns their names.
    @discardableResult
    static func writeImages(count: Int, to folder: URL) throws -> [String] {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return try (0..<count).map { index in
            let pixels = (0..<16 * 16).flatMap { position -> [UInt8] in
                let (y, x) = position.quotientAndRemainder(dividingBy: 16)
                return y < 8 && x < 8 ? [0, 0, 0] : [UInt8((40 + 10 * index) % 256), UInt8(x * 15), UInt8(y * 15)]
            }
            let name = String(format: "image_%03d.png", index)
            try Data(PNGCodec.encode(RGBImage(width: 16, height: 16, pixels: pixels))).write(to: folder.appendingPathComponent(name))
            return name
        }
    }

    private static func weights(_ builder: inout GraphBuilder, _ name: String, _ dims: [Int]) -> TensorRef {
        let count = dims.reduce(1, *)
        return builder.floatConstant(name: name, dims: dims, values: (0..<count).map { Float(($0 * 7) % 11) / 10 - 0.45 })
    }

    private static func bias(_ builder: inout GraphBuilder, _ name: String) -> TensorRef {
        builder.floatConstant(name: name, dims: [1, 4, 1, 1], values: [0.1, -0.2, 0.3, 0.05])
    }
}

/// A scratch folder holding `images/` of tiny PNGs, where tests write tiny models and
/// outputs; each test removes it when done.
struct TinyWorkspace {
    let folder: URL
    let images: URL

    init(images count: Int) throws {
        folder = try CalibProcess.scratchFolder()
        images = folder.appendingPathComponent("images")
        try TinyModels.writeImages(count: count, to: images)
    }

    /// The path of `name` inside the folder.
    func path(_ name: String) -> String { folder.appendingPathComponent(name).path }

    /// Writes `graph` as the IR `name` (+ .bin) in the folder and returns the .xml path.
    func write(_ graph: IRGraph, as name: String) throws -> String {
        try IRFiles.write(graph, xmlPath: path(name))
        return path(name)
    }

    func remove() {
        try? FileManager.default.removeItem(at: folder)
    }
}
