/// The sizes both sides of a model transfer agree on.
public enum ModelTransferLimits {
    /// Bytes a worker asks for in one fetch: 1 MiB.
    public static let defaultChunkBytes = 1 << 20
    /// Largest chunk a coordinator sends, whatever was asked: 4 MiB.
    public static let maxChunkBytes = 4 << 20
    /// Fetches a worker keeps outstanding.
    public static let defaultCredit = 4
    /// Largest model a worker accepts: 4 GiB.
    public static let maxModelBytes: UInt64 = 4 << 30
}
