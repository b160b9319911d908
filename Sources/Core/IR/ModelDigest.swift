/// Names a model by its content: the SHA-256 of its IR text as calib writes it followed by
/// its weights. Statistics files, jobs and worker caches refer to models by this digest.
public enum ModelDigest {
    /// The 64-hex-digit digest of `graph`.
    public static func of(_ graph: IRGraph) -> String {
        var hasher = SHA256()
        hasher.update(IRWriter.xml(of: graph))
        hasher.update(graph.weights)
        return hasher.finalizeHex()
    }
}
