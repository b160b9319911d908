import COpenVINO

/// One inference request (`ov_infer_request_t`): set the input, run, read outputs in place.
public final class InferRequest: @unchecked Sendable {
    private let request: OpaquePointer
    private let owner: CompiledModel

    init(request: OpaquePointer, owner: CompiledModel) {
        self.request = request
        self.owner = owner
    }

    deinit {
        ov_infer_request_free(request)
    }

    /// Copies `values` into the (single) input tensor of `shape`, which must have
    /// `values.count` elements: as they are into an f32 input, as bytes into a u8 input
    /// (values 0...255, integers, as images give them).
    public func setInput(_ values: [Float], shape: [Int]) throws {
        var tensor: OpaquePointer?
        try OpenVINOError.check("get_input_tensor") { ov_infer_request_get_input_tensor(request, &tensor) }
        do {
            var ovShape = ov_shape_t()
            var dims = shape.map(Int64.init)
            try OpenVINOError.check("shape_create") { ov_shape_create(Int64(dims.count), &dims, &ovShape) }
            defer { ov_shape_free(&ovShape) }
            try OpenVINOError.check("set_shape") { ov_tensor_set_shape(tensor, ovShape) }
        } catch {
            ov_tensor_free(tensor)
            throw error
        }
        // The view owns (and frees) the tensor handle from here on.
        let view = try TensorView(tensor: tensor!, owner: self)
        guard view.elementType == .f32 || view.elementType == .u8, view.count == values.count else {
            throw OpenVINOError(
                operation: "set_input", status: 0,
                message: "input is \(view.elementType.map { $0.constName } ?? "?") \(view.shape), given \(values.count) values")
        }
        if view.elementType == .u8 {
            let bytes = values.map { UInt8(clamping: Int($0.rounded())) }
            bytes.withUnsafeBytes { view.data.copyMemory(from: $0) }
        } else {
            values.withUnsafeBytes { view.data.copyMemory(from: $0) }
        }
    }

    /// Runs inference synchronously.
    public func infer() throws {
        try OpenVINOError.check("infer") { ov_infer_request_infer(request) }
    }

    /// Starts inference in OpenVINO's threads and returns at once; `wait()` collects it.
    public func startAsync() throws {
        try OpenVINOError.check("start_async") { ov_infer_request_start_async(request) }
    }

    /// Blocks until the inference started by `startAsync()` is done.
    public func wait() throws {
        try OpenVINOError.check("wait") { ov_infer_request_wait(request) }
    }

    /// Output `index` in Result order, as a view into OpenVINO's memory (no copy); valid
    /// until the next `infer()`.
    public func output(_ index: Int) throws -> TensorView {
        var tensor: OpaquePointer?
        try OpenVINOError.check("get_output_tensor \(index)") {
            ov_infer_request_get_output_tensor_by_index(request, index, &tensor)
        }
        return try TensorView(tensor: tensor!, owner: self)
    }

    /// Per-node timing and kernel names of the last inference (needs `profiling: true` at compile).
    public func profilingInfo() throws -> [ProfilingEntry] {
        var list = ov_profiling_info_list_t()
        try OpenVINOError.check("get_profiling_info") { ov_infer_request_get_profiling_info(request, &list) }
        defer { ov_profiling_info_list_free(&list) }
        return (0..<list.size).map { index in
            let info = list.profiling_infos[index]
            return ProfilingEntry(
                nodeName: info.node_name.map { String(cString: $0) } ?? "",
                nodeType: info.node_type.map { String(cString: $0) } ?? "",
                executionType: info.exec_type.map { String(cString: $0) } ?? "",
                executed: info.status == EXECUTED,
                realTimeMicroseconds: Int(info.real_time))
        }
    }
}

/// One line of OpenVINO's per-node profiling: which kernel ran a node and for how long.
public struct ProfilingEntry: Sendable, Equatable {
    public let nodeName: String
    public let nodeType: String
    /// The kernel, e.g. `brgconv_avx512_I8` for an int8 convolution.
    public let executionType: String
    public let executed: Bool
    public let realTimeMicroseconds: Int
}
