import COpenVINO

/// A model read by OpenVINO (`ov_model_t`). It shares the weights buffer it was read
/// from, so it owns a copy that lives exactly as long as the model.
public final class OpenVINOModel: @unchecked Sendable {
    let model: OpaquePointer
    private let weightsBuffer: UnsafeMutableRawBufferPointer
    private let weightsTensor: OpaquePointer?

    init(runtime: OpenVINORuntime, xml: [UInt8], weights: [UInt8]) throws {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(weights.count, 1), alignment: 64)
        weights.withUnsafeBytes { buffer.copyMemory(from: $0) }
        var tensor: OpaquePointer?
        var model: OpaquePointer?
        do {
            if !weights.isEmpty {
                var shape = ov_shape_t()
                var dims: [Int64] = [Int64(weights.count)]
                try OpenVINOError.check("ov_shape_create") { ov_shape_create(1, &dims, &shape) }
                defer { ov_shape_free(&shape) }
                try OpenVINOError.check("ov_tensor_create_from_host_ptr") {
                    ov_tensor_create_from_host_ptr(U8, shape, buffer.baseAddress, &tensor)
                }
            }
            try xml.withUnsafeBufferPointer { text in
                try text.withMemoryRebound(to: CChar.self) { chars in
                    try OpenVINOError.check("read_model") {
                        ov_core_read_model_from_memory_buffer(runtime.core, chars.baseAddress, chars.count, tensor, &model)
                    }
                }
            }
        } catch {
            if let tensor { ov_tensor_free(tensor) }
            buffer.deallocate()
            throw error
        }
        weightsBuffer = buffer
        self.model = model!
        weightsTensor = tensor
    }

    deinit {
        ov_model_free(model)
        if let weightsTensor { ov_tensor_free(weightsTensor) }
        weightsBuffer.deallocate()
    }
}
