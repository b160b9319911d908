import Core
import Foundation

/// Reads and writes IRs as the usual `.xml` + `.bin` pair.
public enum IRFiles {
    /// The `.bin` path that goes with an `.xml` path.
    public static func weightsPath(for xmlPath: String) -> String {
        URL(fileURLWithPath: xmlPath).deletingPathExtension().appendingPathExtension("bin").path
    }

    /// Reads `model.xml` and its `model.bin`; errors name the file.
    public static func read(xmlPath: String) throws -> IRGraph {
        let xml = try AtomicFile.read(xmlPath)
        let binPath = weightsPath(for: xmlPath)
        let weights = FileManager.default.fileExists(atPath: binPath) ? try AtomicFile.read(binPath) : []
        do {
            return try IRReader.read(xml: xml, weights: weights)
        } catch let error as IRError {
            throw FileError(path: xmlPath, reason: error.description)
        }
    }

    /// Writes both files atomically: either both are replaced or neither is.
    public static func write(_ graph: IRGraph, xmlPath: String) throws {
        try AtomicFile.write([(weightsPath(for: xmlPath), graph.weights), (xmlPath, IRWriter.xml(of: graph))])
    }
}
