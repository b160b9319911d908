import Core
import Foundation
import Testing
import Worker

/// The `.xml` + `.bin` pair on disk: a missing `.bin` is named as missing, and writing
/// refuses a directory in the way before touching anything.
struct IRFilesTests {
    private func tinyGraph() -> IRGraph {
        var builder = GraphBuilder(name: "tiny")
        let image = builder.parameter(name: "image", dims: [1, 1, 4, 4])
        let weights = builder.floatConstant(name: "w", dims: [1, 1, 1, 1], values: [2])
        builder.result(builder.convolution(image, weights: weights, bias: nil, stride: 1, padding: 0, name: "conv"), name: "out")
        return builder.graph
    }

    @Test func aMissingWeightsFileIsNamedAsMissing() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let xml = folder.url.appendingPathComponent("m.xml").path
        try IRFiles.write(tinyGraph(), xmlPath: xml)
        try FileManager.default.removeItem(atPath: IRFiles.weightsPath(for: xml))
        #expect(throws: FileError(path: IRFiles.weightsPath(for: xml), reason: "no such file: the weights of m.xml are missing")) {
            try IRFiles.read(xmlPath: xml)
        }
        // A .bin that is there but short is still reported as short.
        try Data([1, 2]).write(to: URL(fileURLWithPath: IRFiles.weightsPath(for: xml)))
        #expect(throws: FileError(path: xml, reason: "invalid IR layer 'w' (id 1, Const): data of 4 bytes at offset 0 lies outside the 2-byte weights")) {
            try IRFiles.read(xmlPath: xml)
        }
    }

    @Test func aDirectoryWhereTheBinGoesIsRefusedBeforeAnythingIsWritten() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let xml = folder.url.appendingPathComponent("m.xml").path
        try FileManager.default.createDirectory(atPath: IRFiles.weightsPath(for: xml), withIntermediateDirectories: false)
        #expect(throws: FileError(path: IRFiles.weightsPath(for: xml), reason: "is a directory, not a file the IR can be written to")) {
            try IRFiles.write(tinyGraph(), xmlPath: xml)
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.url.path) == ["m.bin"])
    }
}
