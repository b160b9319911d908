import Core

/// FP32 inference of one IR graph on the CPU: compile once, then one call per batch of
/// images, returning every output in Result order as views into OpenVINO's memory.
public final class FP32Inference: @unchecked Sendable {
    /// The model's image input (layout, element type, batch).
    public let input: ImageInput
    /// The static shape of the model's input, in its layout.
    public var inputShape: [Int] { input.shape }
    public let outputCount: Int
    private let compiled: CompiledModel
    /// The request `infer` uses; the statistics collector pipelines it with a second one.
    let request: InferRequest

    /// Compiles `graph` for `input` (nil: the model's own input, which must be static).
    public init(graph: IRGraph, runtime: OpenVINORuntime, threads: Int = 0, profiling: Bool = false, input: ImageInput? = nil) throws {
        let input = try input ?? ImageInput(graph: graph)
        self.input = input
        let model = try runtime.readModel(input.withStaticShape(graph))
        compiled = try runtime.compile(model, threads: threads, profiling: profiling)
        outputCount = try compiled.outputCount()
        request = try compiled.makeRequest()
    }

    /// Runs one input (the values of `input.batch` images in its layout) and returns the
    /// outputs, valid until the next call.
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
