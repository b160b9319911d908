import Foundation
import COpenVINO

/// A model compiled for the CPU (`ov_compiled_model_t`), from which inference requests are made.
public final class CompiledModel: @unchecked Sendable {
    let compiled: OpaquePointer
    /// Kept alive: the compiled model may still point into the source model's weights.
    private let model: OpenVINOModel

    init(runtime: OpenVINORuntime, model: OpenVINOModel, settings: [(String, String)]) throws {
        var compiled: OpaquePointer?
        let keys = settings.map { strdup($0.0)! }
        let values = settings.map { strdup($0.1)! }
        defer {
            keys.forEach { free($0) }
            values.forEach { free($0) }
        }
        let properties = zip(keys, values).map { ov_property_t(key: $0, value: UnsafeRawPointer($1)) }
        try OpenVINOError.check("compile_model") {
            ov_core_compile_model_props(runtime.core, model.model, "CPU", properties.count, properties, &compiled)
        }
        self.compiled = compiled!
        self.model = model
    }

    deinit {
        ov_compiled_model_free(compiled)
    }

    /// A property of the compiled model as text, e.g. `INFERENCE_PRECISION_HINT`.
    public func property(_ key: String) throws -> String {
        var value: UnsafeMutablePointer<CChar>?
        try OpenVINOError.check("get_property \(key)") { ov_compiled_model_get_property(compiled, key, &value) }
        defer { ov_free(value) }
        return value.map { String(cString: $0) } ?? ""
    }

    /// Number of model outputs (Result layers), in the order of the IR's Results.
    public func outputCount() throws -> Int {
        var size = 0
        try OpenVINOError.check("outputs_size") { ov_compiled_model_outputs_size(compiled, &size) }
        return size
    }

    /// A new inference request; each request serves one inference at a time.
    public func makeRequest() throws -> InferRequest {
        var request: OpaquePointer?
        try OpenVINOError.check("create_infer_request") { ov_compiled_model_create_infer_request(compiled, &request) }
        return InferRequest(request: request!, owner: self)
    }
}
