import Core
import Testing

struct CalibrationListTests {
    @Test func trimsBlanksAndCarriageReturnsAndKeepsOrder() throws {
        let text = "000000391895.jpg\r\n  000000522418.jpg \r\n\r\n\t000000184613.jpg\n\n   \nb.jpg"
        let list = try CalibrationList(text: text, source: "cali.txt")
        #expect(list.names == ["000000391895.jpg", "000000522418.jpg", "000000184613.jpg", "b.jpg"])
    }

    @Test func ignoresAByteOrderMark() throws {
        let list = try CalibrationList(text: "\u{FEFF}z.jpg\na.jpg\n", source: "cali.txt")
        #expect(list.names == ["z.jpg", "a.jpg"])
    }

    @Test func duplicateNamesTheLine() {
        let text = "a.jpg\nb.jpg\n\nc.jpg\r\nb.jpg\n"
        #expect(throws: ImageError.duplicateListEntry(source: "cali.txt", name: "b.jpg", line: 5, firstLine: 2)) {
            try CalibrationList(text: text, source: "cali.txt")
        }
        let message = ImageError.duplicateListEntry(source: "cali.txt", name: "b.jpg", line: 5, firstLine: 2)
            .description
        #expect(message == "duplicate entry 'b.jpg' in calibration list 'cali.txt' line 5 (first on line 2)")
    }

    @Test func emptyListIsAnError() {
        #expect(throws: ImageError.emptyList(source: "empty.txt")) {
            try CalibrationList(text: " \n\r\n\n", source: "empty.txt")
        }
    }
}
