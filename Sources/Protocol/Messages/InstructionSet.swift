/// The widest CPU instruction set OpenVINO's CPU kernels (oneDNN) use on a worker, by
/// oneDNN's names for `ONEDNN_MAX_CPU_ISA`, ordered from narrowest to widest.
///
/// A job pins its workers to one of them (the `job`'s `instructionSet`), so which worker
/// ran which image cannot change the output. Measured on the 300x300 example model
/// (2026-12-01, `ONEDNN_MAX_CPU_ISA` set on an AMX machine): statistics and int8 output
/// were byte-identical for AVX2, AVX512_CORE and AVX512_CORE_AMX, and AVX2 inference took
/// 1.35 times as long; other models may differ, hence the pin.
public enum InstructionSet: String, Sendable, CaseIterable, Comparable {
    case sse41 = "SSE41"
    case avx = "AVX"
    case avx2 = "AVX2"
    case avx2VNNI = "AVX2_VNNI"
    case avx512Core = "AVX512_CORE"
    case avx512CoreVNNI = "AVX512_CORE_VNNI"
    case avx512CoreBF16 = "AVX512_CORE_BF16"
    case avx512CoreAMX = "AVX512_CORE_AMX"

    /// The set oneDNN picks from a CPU's `/proc/cpuinfo` flags, capped by `limit` (the
    /// value of `ONEDNN_MAX_CPU_ISA`, case-insensitive, when set to a known name).
    public static func detect(cpuFlags flags: Set<String>, limit: String? = nil) -> InstructionSet {
        let avx512Core = flags.isSuperset(of: ["avx512f", "avx512bw", "avx512vl", "avx512dq"])
        let found: InstructionSet =
            if avx512Core, flags.isSuperset(of: ["amx_tile", "amx_bf16", "amx_int8", "avx512_bf16"]) { .avx512CoreAMX }
            else if avx512Core, flags.contains("avx512_bf16") { .avx512CoreBF16 }
            else if avx512Core, flags.contains("avx512_vnni") { .avx512CoreVNNI }
            else if avx512Core { .avx512Core }
            else if flags.isSuperset(of: ["avx2", "avx_vnni"]) { .avx2VNNI }
            else if flags.contains("avx2") { .avx2 }
            else if flags.contains("avx") { .avx }
            else { .sse41 }
        guard let limit, let cap = InstructionSet(rawValue: limit.uppercased()) else { return found }
        return min(found, cap)
    }

    public static func < (lhs: InstructionSet, rhs: InstructionSet) -> Bool {
        allCases.firstIndex(of: lhs)! < allCases.firstIndex(of: rhs)!
    }
}
