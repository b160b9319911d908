import Core
import Protocol
import Foundation

/// Models a worker received, kept on disk by their digest, so that a restarted worker,
/// or a second job on the same model, downloads nothing.
///
/// Layout: `DIR/models/<digest>.xml` and `.bin`, the model's IR text as calib writes it
/// and its weights, whose SHA-256 together is the digest. Files are written atomically
/// and checked against the digest when read, so a damaged entry is a miss (and is
/// removed), never a wrong model. `DIR/openvino` holds OpenVINO's compiled-model cache,
/// whose blobs OpenVINO does not check: calib records each blob's SHA-256 next to it
/// (`NAME.blob.sha256`) after a compile and removes, before the next one, every blob that
/// does not match its record or has none, so a damaged blob is compiled again. Workers on
/// one machine share the folder, so each compiles holding `DIR/openvino.lock`.
public struct ModelCache: Sendable {
    /// The cache's folder.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    /// `$XDG_CACHE_HOME/calib`, or `~/.cache/calib` when that is not set.
    public static var defaultDirectory: String {
        let environment = ProcessInfo.processInfo.environment
        if let base = environment["XDG_CACHE_HOME"], base.hasPrefix("/") { return base + "/calib" }
        return (environment["HOME"] ?? NSHomeDirectory()) + "/.cache/calib"
    }

    /// Where OpenVINO keeps compiled models (its `CACHE_DIR`).
    public var compiledModels: String { directory + "/openvino" }

    /// The model with `digest`, or nil when it is not here or its bytes do not match.
    public func load(digest: String) -> (xml: [UInt8], weights: [UInt8])? {
        let (xmlPath, weightsPath) = paths(digest)
        guard FileManager.default.fileExists(atPath: xmlPath),
            let xml = try? AtomicFile.read(xmlPath), let weights = try? AtomicFile.read(weightsPath)
        else { return nil }
        guard CryptoSHA256.hex(xml, weights) == digest else {
            try? FileManager.default.removeItem(atPath: xmlPath)
            try? FileManager.default.removeItem(atPath: weightsPath)
            return nil
        }
        return (xml, weights)
    }

    /// Keeps the model with `digest`.
    /// - Throws: `FileError` when the folder cannot be made or a file written (a full disk).
    public func store(digest: String, xml: [UInt8], weights: [UInt8]) throws {
        let (xmlPath, weightsPath) = paths(digest)
        do {
            try FileManager.default.createDirectory(atPath: directory + "/models", withIntermediateDirectories: true)
        } catch {
            throw FileError(path: directory + "/models", reason: "cannot create the model cache folder: \(error.localizedDescription)")
        }
        // The weights first: an IR text is only there with its weights.
        try AtomicFile.write(weights, to: weightsPath)
        try AtomicFile.write(xml, to: xmlPath)
    }

    /// Runs `body` (a compile that may read and write OpenVINO's compiled-model cache)
    /// holding an exclusive lock on `DIR/openvino.lock`: workers on one machine share the
    /// folder, and one must not record, or remove as damaged, a blob another is still
    /// writing. Waits for the lock at most `patience` seconds (a compile takes one to a few;
    /// a stopped process could hold it for ever), then, like where the lock file cannot be
    /// made, runs `body` without it.
    public func withCompiledModelsLocked<T>(patience: Double = 120, _ body: () throws -> T) rethrows -> T {
        try? PosixFile.createFolders(directory)
        let lock = try? PosixFile.open(directory + "/openvino.lock", flags: O_RDWR | O_CREAT, permissions: 0o644)
        defer { try? lock?.close() }
        let deadline = ContinuousClock.now + .milliseconds(Int(patience * 1000))
        while let lock, let taken = try? lock.lockExclusively(), !taken, ContinuousClock.now < deadline {
            usleep(20_000)
        }
        return try body()
    }

    /// Removes compiled-model blobs that do not match their recorded SHA-256 (or have no
    /// record, say a blob cut short by a kill); returns how many. Call before compiling.
    public func removeDamagedCompiledModels() -> Int {
        var removed = 0
        for blob in compiledModelBlobs() {
            let record = blob + ".sha256"
            let recorded = (try? AtomicFile.read(record)).map { String(decoding: $0, as: UTF8.self) }
            guard let bytes = try? AtomicFile.read(blob), recorded == CryptoSHA256.hex(bytes) else {
                try? FileManager.default.removeItem(atPath: blob)
                try? FileManager.default.removeItem(atPath: record)
                removed += 1
                continue
            }
        }
        return removed
    }

    /// Records the SHA-256 of compiled-model blobs that have no record yet. Call after a
    /// compile, which may have written one.
    /// - Throws: `FileError` when a record cannot be written.
    public func recordCompiledModels() throws {
        for blob in compiledModelBlobs() where !FileManager.default.fileExists(atPath: blob + ".sha256") {
            try AtomicFile.write(Array(CryptoSHA256.hex(try AtomicFile.read(blob)).utf8), to: blob + ".sha256")
        }
    }

    /// The blob files of OpenVINO's compiled-model cache.
    private func compiledModelBlobs() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: compiledModels)) ?? []
        return names.filter { $0.hasSuffix(".blob") }.sorted().map { compiledModels + "/" + $0 }
    }

    private func paths(_ digest: String) -> (xml: String, weights: String) {
        let base = "\(directory)/models/\(digest)"
        return (base + ".xml", base + ".bin")
    }
}
