import Core
import Foundation
import Testing
import Worker

/// The int8 IR calib writes must run on OpenVINO's int8 kernels.
@Suite(.serialized) struct QuantizedInferenceTests {
    /// Ranges from one image's min/max: enough to exercise the writer and the runtime.
    private func quickRanges(_ plan: QuantizationPlan) throws -> [ActivationRange] {
        let probe = try ActivationProbe(graph: ExampleModelFixture.graph, tensors: plan.activations.map(\.tensor))
        let inference = try FP32Inference(graph: probe.graph, runtime: ExampleModelFixture.runtime, threads: 2)
        let outputs = try inference.infer(ExampleModelFixture.input())
        return try outputs.dropFirst(probe.originalOutputs).map { output in
            let summary = TensorSummary(try #require(output.floats))
            let high = max(abs(summary.minimum), summary.maximum)
            return ActivationRange(low: summary.minimum >= 0 ? 0 : -high * 128 / 127, high: high)
        }
    }

    @Test(arguments: [false, true])
    func int8IRRunsInt8ConvolutionKernels(keepFloatWeights: Bool) throws {
        let plan = try QuantizationPlan(graph: ExampleModelFixture.graph)
        let quantized = try QuantizedModelWriter.quantize(
            ExampleModelFixture.graph, plan: plan, ranges: try quickRanges(plan), keepFloatWeights: keepFloatWeights)
        if !keepFloatWeights {
            // int8 weights: about a quarter of the FP32 .bin.
            #expect(quantized.weights.count < ExampleModelFixture.graph.weights.count * 3 / 10)
        }
        let model = try ExampleModelFixture.runtime.readModel(quantized)
        let compiled = try ExampleModelFixture.runtime.compile(model, threads: 2, profiling: true)
        let request = try compiled.makeRequest()
        try request.setInput(ExampleModelFixture.input(), shape: [1, 3, 300, 300])
        try request.infer()
        let convolutions = try request.profilingInfo().filter { $0.nodeType == "Convolution" && $0.executed }
        #expect(convolutions.count == plan.weights.count)
        // The precision is upper case ("brgconv_avx512_I8"); on AMX machines the first
        // convolution reports its int8 kernel in lower case ("brgconv_avx512_amx_i8").
        let float = convolutions.filter { !$0.executionType.uppercased().contains("I8") && !$0.executionType.uppercased().contains("U8") }
        #expect(float.isEmpty, "float convolutions: \(float.map { "\($0.nodeName) \($0.executionType)" })")
    }
}
