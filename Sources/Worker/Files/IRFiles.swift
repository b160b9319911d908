import Core
import Foundation

/// Reads and writes IRs as the usual `.xml` + `.bin` pair.
public enum IRFiles {
    /// The `.bin` path that goes with an `.xml` path.
    public static func weightsPath(for xmlPath: String) -> String {
        URL(fileURLWithPath: xmlPath).deletingPathExtension().appendingPathExtension("bin").path
    }

    /// Reads `model.xml` and its `model.bin`; errors name the file. A missing `.bin` is an
    /// error when the IR has Const data to read from it.
    public static func read(xmlPath: String) throws -> IRGraph {
        let xml = try AtomicFile.read(xmlPath)
        let binPath = weightsPath(for: xmlPath)
        let hasWeights = FileManager.default.fileExists(atPath: binPath)
        let weights = hasWeights ? try AtomicFile.read(binPath) : []
        let graph: IRGraph
        do {
            graph = try IRReader.read(xml: xml, weights: weights)
        } catch let error as IRError {
            if case .dataOutsideWeights = error, !hasWeights {
                throw FileError(path: binPath, reason: "no such file: the weights of \(URL(fileURLWithPath: xmlPath).lastPathComponent) are missing")
            }
            throw FileError(path: xmlPath, reason: error.description + notAnIRHint(xmlPath, xml))
        }
        return graph
    }

    /// What the file at `path` looks like when it is no IR `.xml` at all, for the error:
    /// a model to convert first, or a JSON file (a POT configuration goes with `-c`).
    private static func notAnIRHint(_ path: String, _ bytes: [UInt8]) -> String {
        let suffix = URL(fileURLWithPath: path).pathExtension.lowercased()
        if ["onnx", "tflite"].contains(suffix) {
            return " (an .\(suffix) model is converted to an IR first: calib convert \(path) --output MODEL.xml)"
        }
        if bytes.first(where: { ![0x20, 0x09, 0x0a, 0x0d].contains($0) }) == UInt8(ascii: "{") {
            return " (a JSON file; a POT configuration is given with -c)"
        }
        return ""
    }

    /// Writes both files so that a reader never pairs a new `.xml` with an old `.bin` or
    /// the other way round, even if the process dies half-way. Both files are written to
    /// temporary names and flushed first; then the old `.xml` is removed, the new `.bin`
    /// renamed into place, the new `.xml` renamed into place, and the folder flushed. At
    /// any instant there is either the old pair, no `.xml` at all, or the new pair. A
    /// target that is a directory is refused before anything is touched.
    public static func write(_ graph: IRGraph, xmlPath: String) throws {
        try write(xml: IRWriter.xml(of: graph), weights: graph.weights, xmlPath: xmlPath)
    }

    /// Writes an IR already serialized (by OpenVINO, say) the same way as `write(_:xmlPath:)`.
    public static func write(xml xmlBytes: [UInt8], weights: [UInt8], xmlPath: String) throws {
        let binPath = weightsPath(for: xmlPath)
        for path in [xmlPath, binPath] {
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                throw FileError(path: path, reason: "is a directory, not a file the IR can be written to")
            }
        }
        let bin = try AtomicFile.stage(weights, for: binPath)
        defer { AtomicFile.discard(bin) }
        let xml = try AtomicFile.stage(xmlBytes, for: xmlPath)
        defer { AtomicFile.discard(xml) }
        try AtomicFile.remove(xmlPath)
        try AtomicFile.replace(bin)
        try AtomicFile.replace(xml)
        try AtomicFile.flushFolder(of: xmlPath)
    }
}
