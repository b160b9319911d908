/// One meaningful line of a key file (key pair, `.pub` or authorized keys):
/// the shared lexical rules of those formats in one place.
///
/// Lines are split at any line break (`\n`, `\r\n`, `\r`), leading and trailing
/// whitespace is ignored, and blank lines and lines starting with `#` are
/// skipped. What remains is a first word and, after whitespace, an optional rest.
struct KeyFileLine {
    /// The 1-based line number in the file, for error messages.
    let number: Int
    /// The first whitespace-separated word.
    let word: Substring
    /// Everything after the first word and the whitespace following it, or nil
    /// when the line is a single word.
    let rest: Substring?

    /// The meaningful lines of `text`, in order.
    static func lines(of text: String) -> [KeyFileLine] {
        var lines: [KeyFileLine] = []
        for (index, raw) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated() {
            let line = raw.drop(while: \.isWhitespace).dropLast(while: \.isWhitespace)
            guard !line.isEmpty, line.first != "#" else { continue }
            let word = line.prefix { !$0.isWhitespace }
            let rest = line[word.endIndex...].drop(while: \.isWhitespace)
            lines.append(KeyFileLine(number: index + 1, word: word, rest: rest.isEmpty ? nil : rest))
        }
        return lines
    }
}

extension Substring {
    /// The substring without its trailing elements that satisfy `predicate`.
    fileprivate func dropLast(while predicate: (Character) -> Bool) -> Substring {
        var end = endIndex
        while end > startIndex, predicate(self[index(before: end)]) {
            end = index(before: end)
        }
        return self[startIndex..<end]
    }
}
