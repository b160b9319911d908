import Core
import Foundation
import Testing
import Worker

struct CalibrationDatasetTests {
    /// A tiny valid JPEG.
    let jpeg: [UInt8]

    init() throws {
        jpeg = try JPEGCodec.encode(RGBImage.synthetic(index: 0, width: 16, height: 12), quality: 90)
    }

    @Test func folderListingTakesImagesSortedByName() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for name in ["b.jpg", "a.PNG", "c.JPEG", "notes.txt", ".hidden.jpg", "d.jpgx"] {
            try folder.write(jpeg, to: name)
        }
        try FileManager.default.createDirectory(
            at: folder.url.appendingPathComponent("folder.jpg"), withIntermediateDirectories: false)
        let dataset = try CalibrationDataset(folder: folder.url)
        #expect(dataset.names == ["a.PNG", "b.jpg", "c.JPEG"])
        #expect(dataset.count == 3)
        #expect(try dataset.url(at: 1) == folder.url.appendingPathComponent("b.jpg"))
    }

    @Test func listKeepsItsOrderAndSubsetTakesThePrefix() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        for name in ["1.jpg", "2.jpg", "3.jpg", "extra.jpg"] {
            try folder.write(jpeg, to: name)
        }
        let listFile = try folder.write(Array("3.jpg\r\n1.jpg\r\n\r\n2.jpg\r\n".utf8), to: "cali.txt")
        let dataset = try CalibrationDataset(folder: folder.url, listFile: listFile)
        #expect(dataset.names == ["3.jpg", "1.jpg", "2.jpg"])
        #expect(dataset.subset(2).names == ["3.jpg", "1.jpg"])
        #expect(dataset.subset(10).names == dataset.names)
        #expect(dataset.subset(-1).count == 0)
        #expect(throws: ImageFileError.indexOutOfRange(index: 2, count: 2, folder: folder.url.path)) {
            try dataset.subset(2).image(at: 2, reader: .pillow)
        }
    }

    @Test func missingListedFilesAreReportedTogether() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try folder.write(jpeg, to: "here.jpg")
        let list = try CalibrationList(text: "gone1.jpg\nhere.jpg\ngone2.jpg\n", source: "cali.txt")
        #expect(throws: ImageFileError.missingFiles(folder: folder.url.path, names: ["gone1.jpg", "gone2.jpg"])) {
            try CalibrationDataset(folder: folder.url, list: list)
        }
        #expect(
            ImageFileError.missingFiles(folder: "/data", names: ["gone1.jpg", "gone2.jpg"]).description
                == "2 listed images missing from '/data': gone1.jpg, gone2.jpg")

        let many = (0..<8).map { "m\($0).jpg" }
        let manyList = try CalibrationList(text: many.joined(separator: "\n"), source: "cali.txt")
        do {
            _ = try CalibrationDataset(folder: folder.url, list: manyList)
            Issue.record("expected an error")
        } catch {
            #expect(error == .missingFiles(folder: folder.url.path, names: many))
            #expect(
                error.description
                    == "8 listed images missing from '\(folder.url.path)': m0.jpg, m1.jpg, m2.jpg, m3.jpg, m4.jpg and 3 more")
        }
    }

    @Test func badFoldersAndListsGiveClearErrors() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let absent = folder.url.appendingPathComponent("nowhere")
        #expect(throws: ImageFileError.folderMissing(path: absent.path)) { try CalibrationDataset(folder: absent) }
        let file = try folder.write(jpeg, to: "file.jpg")
        #expect(throws: ImageFileError.notADirectory(path: file.path)) { try CalibrationDataset(folder: file) }
        let empty = folder.url.appendingPathComponent("empty")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: false)
        #expect(throws: ImageFileError.noImages(folder: empty.path)) { try CalibrationDataset(folder: empty) }

        let duplicateList = try folder.write(Array("file.jpg\nfile.jpg\n".utf8), to: "dup.txt")
        #expect(throws: ImageError.duplicateListEntry(source: "dup.txt", name: "file.jpg", line: 2, firstLine: 1)) {
            try CalibrationDataset(folder: folder.url, listFile: duplicateList)
        }
        let noList = folder.url.appendingPathComponent("absent.txt")
        #expect {
            try CalibrationDataset(folder: folder.url, listFile: noList)
        } throws: { error in
            guard case .unreadable(path: noList.path, _) = error as? ImageFileError else { return false }
            return true
        }
    }

    @Test func tensorIsTheResizedImageInPlanarLayout() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        // 2x1 image (1, 2, 3) (4, 5, 6) as a lossless PNG.
        try folder.write(PNGCodec.encode(RGBImage(width: 2, height: 1, pixels: [1, 2, 3, 4, 5, 6])), to: "a.png")
        try folder.write(Array("not an image".utf8), to: "b.jpg")
        let dataset = try CalibrationDataset(folder: folder.url)

        let same = try dataset.tensor(at: 0, width: 2, height: 1, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow)
        #expect(same == [1, 4, 2, 5, 3, 6])
        let bgr = try dataset.tensor(at: 0, width: 2, height: 1, interpolation: .bicubic, channelOrder: .bgr, reader: .pillow)
        #expect(bgr == [3, 6, 2, 5, 1, 4])
        // Square 4x4, bilinear: each row becomes [1, 1.75, 3.25, 4] -> [1, 2, 3, 4] for red.
        let square = try dataset.tensor(at: 0, resolution: 4, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow)
        #expect(square.count == 3 * 4 * 4)
        #expect(Array(square[0..<4]) == [1, 2, 3, 4])
        #expect(Array(square[12..<16]) == [1, 2, 3, 4])
        #expect(Array(square[32..<36]) == [3, 4, 5, 6])

        #expect {
            try dataset.tensor(at: 1, resolution: 4, interpolation: .bilinear, channelOrder: .rgb, reader: .pillow)
        } throws: { error in
            (error as? ImageFileError)?.description.contains("'b.jpg'") == true
        }
    }

    @Test func exampleWriterWritesDecodableFilesAtomically() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let target = folder.url.appendingPathComponent("examples/nested")
        let writer = ExampleImageWriter(directory: target, seed: 5)
        #expect(try writer.write(count: 2) == ["example_000000.jpg", "example_000001.jpg"])
        #expect(ExampleImageWriter.exampleName(123) == "example_000123.jpg")

        let listed = try writer.write(names: ["000000391895.jpg", "000000522418.png", "000000184613.jpg"], limit: 2)
        #expect(listed == ["000000391895.jpg", "000000522418.png"])
        let files = try FileManager.default.contentsOfDirectory(atPath: target.path).sorted()
        #expect(files == ["000000391895.jpg", "000000522418.png", "example_000000.jpg", "example_000001.jpg"])

        let dataset = try CalibrationDataset(folder: target)
        let first = try dataset.image(at: 2, reader: .pillow)  // example_000000.jpg
        let expected = RGBImage.synthetic(index: 0, seed: 5)
        #expect(first.width == expected.width && first.height == expected.height)
        // PNG is lossless: the file holds synthetic image 1 exactly.
        #expect(try dataset.image(at: 1, reader: .pillow) == RGBImage.synthetic(index: 1, seed: 5))

        #expect(throws: ImageFileError.self) { try writer.write(names: ["../escape.jpg"]) }
    }
}
