import Core
import Foundation
import Testing
import Worker

@Suite(.serialized) struct OpenVINOInferenceTests {
    @Test func exampleModelRunsInFP32WithDetectionOutputs() throws {
        let model = try ExampleModelFixture.runtime.readModel(ExampleModelFixture.graph)
        let compiled = try ExampleModelFixture.runtime.compile(model, threads: 2)
        #expect(try compiled.property("INFERENCE_PRECISION_HINT") == "f32")
        #expect(try compiled.property("INFERENCE_NUM_THREADS") == "2")
        let outputs = try ExampleModelFixture.outputs(of: ExampleModelFixture.graph, input: ExampleModelFixture.input())
        #expect(outputs.count == 3)
        let (boxes, labels, scores) = (outputs[0], outputs[1], outputs[2])
        let found = try #require(labels.shape.last)
        #expect(found > 0 && found <= 200)
        #expect(boxes.shape == [1, found, 4])
        #expect(labels.shape == [1, found])
        #expect(scores.shape == [1, found])
        #expect(labels.values.allSatisfy { $0 >= 1 && $0 <= 80 })
        #expect(scores.values.allSatisfy { $0 > 0.05 && $0 <= 1 })
        #expect(zip(scores.values, scores.values.dropFirst()).allSatisfy { $0 >= $1 })
    }

    @Test func everyIntermediateActivationCanBeProbed() throws {
        let probe = try ActivationProbe(graph: ExampleModelFixture.graph)
        let inference = try FP32Inference(graph: probe.graph, runtime: ExampleModelFixture.runtime, threads: 2)
        let outputs = try inference.infer(ExampleModelFixture.input())
        #expect(outputs.count == probe.originalOutputs + probe.tensors.count)
        let convolutions = ExampleModelFixture.graph.layers(ofType: "Convolution").count
        #expect(probe.tensors.count > convolutions)
        for (reference, output) in zip(probe.tensors, outputs.dropFirst(probe.originalOutputs)) {
            // Channels last from rank 3 on: [N, C, H, W] comes out as [N, H, W, C].
            let dims = try #require(ExampleModelFixture.graph.port(reference)?.dims)
            #expect(output.shape == (dims.count >= 3 ? [dims[0]] + dims[2...] + [dims[1]] : dims))
            let values = try #require(output.floats)
            let summary = TensorSummary(values)
            #expect(summary.minimum.isFinite && summary.maximum.isFinite)
            // Realistic range: nothing explodes or vanishes through the 100+ layers.
            #expect(max(abs(summary.minimum), abs(summary.maximum)) < 1e4)
        }
    }

    @Test func aProbedTensorComesOutChannelsLast() throws {
        let graph = ExampleModelFixture.graph
        let tensor = try #require(ActivationProbe(graph: graph).tensors.first { graph.port($0)?.dims?.count == 4 })
        let probe = try ActivationProbe(graph: graph, tensors: [tensor])
        var asOutput = graph
        try asOutput.addResult(on: tensor, name: "tensor_as_output")
        let input = ExampleModelFixture.input()
        let probed = try #require(try FP32Inference(graph: probe.graph, runtime: ExampleModelFixture.runtime, threads: 2).infer(input).last)
        let planar = try #require(try FP32Inference(graph: asOutput, runtime: ExampleModelFixture.runtime, threads: 2).infer(input).last)
        let (channels, height, width) = (planar.shape[1], planar.shape[2], planar.shape[3])
        #expect(probed.shape == [1, height, width, channels])
        let values = try #require(probed.floats)
        let expected = try #require(planar.floats)
        var mismatches = 0
        for c in 0..<channels {
            for y in 0..<height {
                for x in 0..<width where values[(y * width + x) * channels + c] != expected[(c * height + y) * width + x] {
                    mismatches += 1
                }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func openVINOErrorsCarryTheirMessage() throws {
        var builder = GraphBuilder(name: "broken")
        let input = builder.parameter(name: "image", dims: [1, 3, 8, 8])
        let weights = builder.floatConstant(name: "w", dims: [4, 5, 3, 3], values: Array(repeating: 0.1, count: 180))
        let conv = builder.convolution(input, weights: weights, bias: nil, stride: 1, padding: 1, name: "conv")
        builder.result(conv, name: "out")
        // 5 weight input channels against a 3-channel image: OpenVINO's shape inference refuses it.
        #expect {
            _ = try ExampleModelFixture.runtime.readModel(builder.graph)
        } throws: { error in
            let text = String(describing: error)
            return error is OpenVINOError && text.contains("read_model") && text.contains("conv")
        }
    }
}
