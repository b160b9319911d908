import Core

/// FP32 inference of one IR graph on the CPU: compile once, then one call per image,
/// returning every output in Result order as views into OpenVINO's memory.
public final class FP32Inference: @unchecked Sendable {
    /// The `[1, 3, H, W]` shape of the model's single input.
    public let inputShape: [Int]
    public let outputCount: Int
    private let compiled: CompiledModel
    /// The request `infer` uses; the statistics collector pipelines it with a second one.
    let request: InferRequest

    public init(graph: IRGraph, runtime: OpenVINORuntime, threads: Int = 0, profiling: Bool = false) throws {
        let parameters = graph.layers(ofType: "Parameter")
        guard parameters.count == 1, let dims = parameters[0].outputs.first?.dims, dims.count == 4,
            dims.allSatisfy({ $0 > 0 })
        else {
            throw IRError.invalidNetwork(
                "calib needs one static [N,C,H,W] image input, the model has \(parameters.map(\.label))")
        }
        inputShape = dims
        let model = try runtime.readModel(graph)
        compiled = try runtime.compile(model, threads: threads, profiling: profiling)
        outputCount = try compiled.outputCount()
        request = try compiled.makeRequest()
    }

    /// Runs one input tensor (NCHW floats) and returns the outputs, valid until the next call.
    public func infer(_ input: [Float]) throws -> [TensorView] {
        try request.setInput(input, shape: inputShape)
        try request.infer()
        return try (0..<outputCount).map { try request.output($0) }
    }

    /// A further request on the same compiled model, for pipelining images.
    public func makeRequest() throws -> InferRequest {
        try compiled.makeRequest()
    }

    /// Per-node kernels and timings of the last inference (compile with `profiling: true`).
    public func profilingInfo() throws -> [ProfilingEntry] {
        try request.profilingInfo()
    }
}
