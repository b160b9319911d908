import Foundation
import Testing
import Worker

@testable import Core

/// Image inputs as real IRs have them: NHWC u8 (TensorFlow/TFLite converters), grey, a
/// batch of two, and dynamic dimensions fixed with `--input-shape`. Each calibrates, and
/// OpenVINO loads, compiles and runs its int8 IR with int8 kernels on every convolution.
@Suite(.serialized) struct InputLayoutTests {
    static let images: CalibrationDataset = {
        let folder = try! TemporaryFolder()
        _ = try! ExampleImageWriter(directory: folder.url).write(count: 3)
        return try! CalibrationDataset(folder: folder.url)
    }()

    /// `input` → conv 3x3 (8) → ReLU → conv 3x3 (8) → result, the first conv reading `channels`.
    private static func convolutions(_ builder: inout GraphBuilder, _ input: TensorRef, channels: Int) -> IRGraph {
        var generator = SeededGenerator(seed: 5)
        func weights(_ name: String, _ dims: [Int]) -> TensorRef {
            builder.floatConstant(name: name, dims: dims, values: (0..<dims.reduce(1, *)).map { _ in Float(generator.unit() - 0.5) / 4 })
        }
        let first = builder.convolution(input, weights: weights("w1", [8, channels, 3, 3]), bias: weights("b1", [1, 8, 1, 1]), stride: 1, padding: 1, name: "conv1")
        let relu = builder.unary("Relu", first, name: "relu1")
        builder.result(
            builder.convolution(relu, weights: weights("w2", [8, 8, 3, 3]), bias: weights("b2", [1, 8, 1, 1]), stride: 1, padding: 1, name: "conv2"),
            name: "out")
        return builder.graph
    }

    static func nchw(batch: Int = 1, channels: Int = 3) -> IRGraph {
        var builder = GraphBuilder(name: "nchw")
        let image = builder.parameter(name: "image", dims: [batch, channels, 16, 16])
        return convolutions(&builder, image, channels: channels)
    }

    static func nhwcU8() -> IRGraph {
        var builder = GraphBuilder(name: "nhwc")
        let image = builder.parameter(name: "image", dims: [1, 16, 16, 3], elementType: .u8)
        let floats = builder.add("Convert", name: "to_f32", data: [.init("destination_type", "f32")], inputs: [image], output: ([1, 16, 16, 3], .f32))
        return convolutions(&builder, builder.transpose(floats, order: [0, 3, 1, 2], name: "to_nchw"), channels: 3)
    }

    /// The NCHW model with its input declared `[?,3,?,?]`.
    static func dynamic() throws -> IRGraph {
        var graph = nchw()
        var parameter = try #require(graph.layers(ofType: "Parameter").first)
        parameter.setAttribute("shape", "?,3,?,?")
        parameter.outputs[0].dims = [-1, 3, -1, -1]
        try graph.updateLayer(parameter)
        return graph
    }

    /// Calibrates `graph` on the three images, then compiles and runs its int8 IR.
    @discardableResult
    private func calibrateAndRunInt8(_ graph: IRGraph, inputShape: [Int]? = nil) throws -> CalibrationStatistics {
        let run = try CalibrationPlan(graph: graph, inputShape: inputShape)
        let statistics = try run.collect(dataset: Self.images, threads: 1)
        #expect(statistics.imageIndices == [0, 1, 2])
        let quantized = try run.quantize(statistics: statistics, selector: RangeSelector()).graph
        let inference = try FP32Inference(graph: quantized, runtime: ExampleModelFixture.runtime, threads: 1, profiling: true, input: run.input)
        let image = try Self.images.values(at: 0, for: run.input, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow)
        _ = try inference.infer(Array([[Float]](repeating: image, count: run.input.batch).joined()))
        let kernels = try inference.profilingInfo().filter { $0.nodeType == "Convolution" && $0.executed }
        #expect(kernels.count == 2)
        for kernel in kernels {
            let type = kernel.executionType.uppercased()
            #expect(type.contains("I8") || type.contains("U8"), "\(kernel.nodeName) runs \(kernel.executionType)")
        }
        return statistics
    }

    @Test func nhwcU8CalibratesAndRunsInt8() throws {
        try calibrateAndRunInt8(Self.nhwcU8())
    }

    @Test func greyCalibratesAndRunsInt8() throws {
        try calibrateAndRunInt8(Self.nchw(channels: 1))
    }

    @Test func aBatchOfTwoGivesEachImageItsOwnStatistics() throws {
        let batched = try calibrateAndRunInt8(Self.nchw(batch: 2))
        let single = try CalibrationPlan(graph: Self.nchw()).collect(dataset: Self.images, threads: 1)
        // Three images in batches of two: the last batch holds image 2 twice, recorded once.
        for (one, two) in zip(single.tensors, batched.tensors) {
            #expect(one.perImage.keys.sorted() == two.perImage.keys.sorted())
            for (image, figures) in one.perImage {
                let other = try #require(two.perImage[image])
                #expect(abs(figures.minimum - other.minimum) <= 1e-4 * max(1, abs(figures.minimum)))
                #expect(abs(figures.maximum - other.maximum) <= 1e-4 * max(1, abs(figures.maximum)))
            }
            #expect(one.histogram.count == two.histogram.count)
        }
    }

    @Test func aDynamicInputCalibratesWithTheGivenShapeAndKeepsItsOwnInTheIR() throws {
        let dynamic = try Self.dynamic()
        #expect(throws: ImageInputError.self) { try CalibrationPlan(graph: dynamic) }
        try calibrateAndRunInt8(dynamic, inputShape: [1, 3, 16, 16])
        let run = try CalibrationPlan(graph: dynamic, inputShape: [1, 3, 16, 16])
        let statistics = try run.collect(dataset: Self.images, indices: 0..<1, threads: 1)
        let written = try run.quantize(statistics: statistics, selector: RangeSelector()).graph
        #expect(written.layers(ofType: "Parameter").first?.attribute("shape") == "?,3,?,?")
    }
}
