import Foundation

/// The MLPerf calibration list (`cali.txt`): which image files, in which order, make up
/// the calibration set. One file name per line; surrounding blanks, carriage returns and
/// blank lines are ignored.
public struct CalibrationList: Sendable, Equatable {
    /// The file names in list order, without duplicates.
    public let names: [String]

    /// Parses the list text; `source` (usually the list's file name) names it in errors.
    /// Throws when a name occurs twice or when the list names nothing.
    public init(text: String, source: String) throws(ImageError) {
        var names: [String] = []
        var firstLines: [String: Int] = [:]
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (offset, line) in lines.enumerated() {
            var name = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if offset == 0, name.hasPrefix("\u{FEFF}") {
                name = String(name.dropFirst()).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard !name.isEmpty else { continue }
            if let firstLine = firstLines[name] {
                throw .duplicateListEntry(source: source, name: name, line: offset + 1, firstLine: firstLine)
            }
            firstLines[name] = offset + 1
            names.append(name)
        }
        guard !names.isEmpty else { throw .emptyList(source: source) }
        self.names = names
    }
}
