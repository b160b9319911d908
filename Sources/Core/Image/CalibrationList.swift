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
        var entries: [(name: String, line: Int)] = []
        let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        for (offset, line) in lines.enumerated() {
            var name = line.trimmingCharacters(in: .whitespacesAndNewlines)
            if offset == 0, name.hasPrefix("\u{FEFF}") {
                name = String(name.dropFirst()).trimmingCharacters(in: .whitespacesAndNewlines)
            }
            guard !name.isEmpty else { continue }
            entries.append((name, offset + 1))
        }
        try self.init(entries: entries, source: source)
    }

    /// A list of `names` in that order (from a COCO instances file, say); `source` names
    /// it in errors, where an entry's "line" is its position. Throws when a name occurs
    /// twice or when there is none.
    public init(names: [String], source: String) throws(ImageError) {
        try self.init(entries: names.enumerated().map { ($0.element, $0.offset + 1) }, source: source)
    }

    private init(entries: [(name: String, line: Int)], source: String) throws(ImageError) {
        var firstLines: [String: Int] = [:]
        for (name, line) in entries {
            if let firstLine = firstLines[name] {
                throw .duplicateListEntry(source: source, name: name, line: line, firstLine: firstLine)
            }
            firstLines[name] = line
        }
        guard !entries.isEmpty else { throw .emptyList(source: source) }
        names = entries.map(\.name)
    }
}
