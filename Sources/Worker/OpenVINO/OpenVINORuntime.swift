import COpenVINO
import Core
import Foundation

/// The OpenVINO runtime (`ov_core_t`): reads IRs from memory and compiles them for the CPU.
/// One per process is enough; it is safe to share across threads for reading and compiling.
public final class OpenVINORuntime: @unchecked Sendable {
    let core: OpaquePointer

    /// - Parameter compiledModelCache: a folder where OpenVINO keeps the models it
    ///   compiles (its `CACHE_DIR`), so compiling the same model again imports it instead;
    ///   nil for none.
    public init(compiledModelCache: String? = nil) throws {
        var core: OpaquePointer?
        try OpenVINOError.check("ov_core_create") { ov_core_create(&core) }
        self.core = core!
        if let compiledModelCache {
            let key = strdup("CACHE_DIR")!
            let value = strdup(compiledModelCache)!
            defer {
                free(key)
                free(value)
            }
            var property = ov_property_t(key: key, value: UnsafeRawPointer(value))
            try OpenVINOError.check("set_properties CACHE_DIR") { ov_core_set_properties(core, nil, 1, &property) }
        }
    }

    deinit {
        ov_core_free(core)
    }

    /// The runtime's build number, e.g. `2026.4.1-22982-...`.
    public static var version: String {
        var version = ov_version_t()
        guard ov_get_openvino_version(&version) == OK else { return "unknown" }
        defer { ov_version_free(&version) }
        return version.buildNumber.map { String(cString: $0) } ?? "unknown"
    }

    /// Reads an IR from its `.xml` text and `.bin` bytes, without touching the filesystem.
    public func readModel(xml: [UInt8], weights: [UInt8]) throws -> OpenVINOModel {
        try OpenVINOModel(runtime: self, xml: xml, weights: weights)
    }

    /// Reads an in-memory IR graph.
    public func readModel(_ graph: IRGraph) throws -> OpenVINOModel {
        try readModel(xml: IRWriter.xml(of: graph), weights: graph.weights)
    }

    /// Compiles a model for the CPU with fp32 inference, `threads` threads (0: OpenVINO's
    /// choice) and one stream, and checks that the CPU plugin really runs in f32: this CPU
    /// would otherwise pick bf16 and skew every statistic by about 1e-2.
    public func compile(_ model: OpenVINOModel, threads: Int = 0, profiling: Bool = false) throws -> CompiledModel {
        var settings: [(String, String)] = [
            ("INFERENCE_PRECISION_HINT", "f32"),
            ("NUM_STREAMS", "1"),
            ("PERFORMANCE_HINT", "LATENCY"),
            ("PERF_COUNT", profiling ? "YES" : "NO"),
        ]
        if threads > 0 { settings.append(("INFERENCE_NUM_THREADS", String(threads))) }
        let compiled = try CompiledModel(runtime: self, model: model, settings: settings)
        let precision = try compiled.property("INFERENCE_PRECISION_HINT")
        guard precision == "f32" else {
            throw OpenVINOError(
                operation: "compile", status: 0,
                message: "INFERENCE_PRECISION_HINT reads back as '\(precision)', not f32")
        }
        return compiled
    }
}
