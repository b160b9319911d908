import Foundation

/// JSON as POT reads its configuration files (domain.md §8): `//` and `/* */` comments and
/// trailing commas before `]` or `}` are allowed. Parsed into `JSONValue`s.
public enum RelaxedJSON {
    /// Parses `text`. Throws `POTConfigurationError.syntax` with JSONDecoder's reason, or
    /// for a comment that is never closed.
    public static func parse(_ text: String) throws(POTConfigurationError) -> JSONValue {
        let strict = try standardJSON(from: text)
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(strict.utf8))
        } catch {
            throw .syntax(location(ofErrorIn: strict) ?? String(describing: error).split(whereSeparator: \.isNewline).joined(separator: " "))
        }
    }

    /// Where JSONSerialization finds `text` invalid, as "line L, column C: reason" (the
    /// comment-free text has the original's offsets); nil when it names no position.
    private static func location(ofErrorIn text: String) -> String? {
        do {
            _ = try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed])
            return nil
        } catch {
            guard let description = (error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String else { return nil }
            let digits = description.split(separator: " ").last.map { $0.filter(\.isNumber) } ?? ""
            guard description.contains("around character"), let offset = Int(digits) else { return description }
            let before = Array(text.utf8.prefix(offset))
            let line = before.filter { $0 == UInt8(ascii: "\n") }.count + 1
            let column = before.count - (before.lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0) + 1
            let reason = description.components(separatedBy: " around").first ?? description
            return "line \(line), column \(column): \(reason)"
        }
    }

    /// `text` with comments removed (replaced by spaces, so offsets stay) and trailing
    /// commas dropped; string contents, escapes included, are left alone.
    static func standardJSON(from text: String) throws(POTConfigurationError) -> String {
        let characters = Array(text.unicodeScalars)
        var output = [Unicode.Scalar]()
        output.reserveCapacity(characters.count)
        var index = 0
        var inString = false
        while index < characters.count {
            let character = characters[index]
            let next = index + 1 < characters.count ? characters[index + 1] : nil
            if inString {
                output.append(character)
                if character == "\\", let next {
                    output.append(next)
                    index += 2
                    continue
                }
                if character == "\"" { inString = false }
                index += 1
            } else if character == "\"" {
                inString = true
                output.append(character)
                index += 1
            } else if character == "/", next == "/" {
                while index < characters.count, characters[index] != "\n" {
                    output.append(" ")
                    index += 1
                }
            } else if character == "/", next == "*" {
                guard let end = (index + 2..<max(index + 2, characters.count - 1)).first(where: { characters[$0] == "*" && characters[$0 + 1] == "/" })
                else { throw .syntax("a /* comment is never closed") }
                output.append(contentsOf: Array(repeating: " ", count: end + 2 - index))
                index = end + 2
            } else if character == "]" || character == "}" {
                if let comma = output.lastIndex(where: { !$0.properties.isWhitespace }), output[comma] == "," {
                    output[comma] = " "
                }
                output.append(character)
                index += 1
            } else {
                output.append(character)
                index += 1
            }
        }
        return String(String.UnicodeScalarView(output))
    }
}

