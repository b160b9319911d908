/// A small UTF-8 XML parser, enough for OpenVINO IR files and strict about what it
/// accepts. It builds an `XMLElement` tree: the XML declaration, processing
/// instructions, comments and a DOCTYPE are skipped; CDATA sections become text; the
/// five predefined entities and numeric character references are decoded; text that
/// is only whitespace is dropped and other text is trimmed. Attribute values are
/// normalized as XML requires (literal tab, line feed and carriage return become a
/// space). Every problem, including invalid UTF-8, is an `IRError.malformedXML` with a
/// 1-based line and a 1-based column counted in characters.
public enum XMLTreeParser {
    /// How deep elements may nest. IRs need a few dozen levels at most; the limit keeps
    /// hostile input from building trees too deep to compare or release safely.
    public static let maximumDepth = 1024

    /// Parses a whole document and returns its root element.
    public static func parse(_ bytes: [UInt8]) throws -> XMLElement {
        do {
            return try bytes.withUnsafeBufferPointer { buffer in
                var scanner = XMLScanner(bytes: buffer)
                return try scanner.document()
            }
        } catch let failure as XMLParseFailure {
            let (line, column) = location(of: failure.offset, in: bytes)
            throw IRError.malformedXML(line: line, column: column, reason: failure.reason)
        }
    }

    /// The 1-based line and column of byte `offset`. Lines end at LF, CRLF or a lone CR;
    /// columns count Unicode scalars, so a multi-byte character is one column.
    static func location(of offset: Int, in bytes: [UInt8]) -> (line: Int, column: Int) {
        let end = max(0, min(offset, bytes.count))
        var line = 1
        var lineStart = bytes.starts(with: XMLScanner.byteOrderMark) ? 3 : 0
        var index = 0
        while index < end {
            let byte = bytes[index]
            if byte == XMLByte.lineFeed {
                if index == 0 || bytes[index - 1] != XMLByte.carriageReturn { line += 1 }
                lineStart = index + 1
            } else if byte == XMLByte.carriageReturn {
                line += 1
                lineStart = index + 1
            }
            index += 1
        }
        var column = 1
        if lineStart < end {
            for position in lineStart..<end where bytes[position] & 0xC0 != 0x80 { column += 1 }
        }
        return (line, column)
    }
}

/// A parse error before it is turned into line and column.
private struct XMLParseFailure: Error {
    var offset: Int
    var reason: String
}

/// An element whose end tag has not been read yet.
private struct OpenElement {
    var element: XMLElement
    /// The element name's bytes in the input, to check the end tag cheaply.
    var nameStart: Int
    var nameEnd: Int
    /// Decoded character data seen so far (trimmed when the element closes).
    var text: [UInt8] = []
}

/// The parser proper: a cursor over the input bytes.
private struct XMLScanner {
    static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    let bytes: UnsafeBufferPointer<UInt8>
    var position = 0
    /// Lines are counted lazily: `line` is the line of byte `linesCountedTo`.
    private var linesCountedTo = 0
    private var line = 1

    init(bytes: UnsafeBufferPointer<UInt8>) {
        self.bytes = bytes
    }

    // MARK: Document

    mutating func document() throws -> XMLElement {
        guard !bytes.isEmpty else { throw XMLParseFailure(offset: 0, reason: "empty document") }
        if bytes.starts(with: Self.byteOrderMark) {
            position = 3
            linesCountedTo = 3
        }
        try validateEncoding(from: position)
        try skipMisc(allowDoctype: true)
        guard position < bytes.count else {
            throw XMLParseFailure(offset: position, reason: "no root element")
        }
        guard bytes[position] == XMLByte.lessThan, position + 1 < bytes.count, isNameStart(bytes[position + 1]) else {
            throw XMLParseFailure(offset: position, reason: "expected the root element, found \(describeByte(at: position))")
        }
        let root = try element()
        try skipMisc(allowDoctype: false)
        guard position == bytes.count else {
            throw XMLParseFailure(offset: position, reason: "junk after the root element: \(describeByte(at: position))")
        }
        return root
    }

    /// Skips whitespace, comments and processing instructions (and one DOCTYPE in the prolog).
    private mutating func skipMisc(allowDoctype: Bool) throws {
        var doctypeAllowed = allowDoctype
        while true {
            skipWhitespace()
            if matches("<?") {
                try skipProcessingInstruction()
            } else if matches("<!--") {
                try skipComment()
            } else if doctypeAllowed, matches("<!DOCTYPE") {
                try skipDoctype()
                doctypeAllowed = false
            } else {
                return
            }
        }
    }

    // MARK: Elements

    /// Reads the element starting at `<` and everything inside it, without recursion.
    private mutating func element() throws -> XMLElement {
        var stack: [OpenElement] = []
        let (first, firstIsEmpty) = try startTag()
        if firstIsEmpty { return first.element }
        stack.append(first)

        while true {
            guard position < bytes.count else {
                let open = stack[stack.count - 1]
                throw XMLParseFailure(
                    offset: position,
                    reason: "unexpected end of input: <\(open.element.name)> from line \(open.element.line) is not closed")
            }
            if bytes[position] != XMLByte.lessThan {
                try characterData(into: &stack[stack.count - 1].text)
                continue
            }
            let next = position + 1 < bytes.count ? bytes[position + 1] : 0
            if next == XMLByte.slash {
                var closed = stack.removeLast()
                try endTag(of: closed)
                closed.element.text = trimmedString(closed.text)
                if stack.isEmpty { return closed.element }
                stack[stack.count - 1].element.children.append(closed.element)
            } else if next == XMLByte.exclamation {
                if matches("<!--") {
                    try skipComment()
                } else if matches("<![CDATA[") {
                    try cdata(into: &stack[stack.count - 1].text)
                } else {
                    throw XMLParseFailure(offset: position, reason: "unexpected '<!' markup inside an element")
                }
            } else if next == XMLByte.question {
                try skipProcessingInstruction()
            } else {
                guard stack.count < XMLTreeParser.maximumDepth else {
                    throw XMLParseFailure(
                        offset: position, reason: "elements nested deeper than \(XMLTreeParser.maximumDepth) levels")
                }
                let (child, isEmpty) = try startTag()
                if isEmpty {
                    stack[stack.count - 1].element.children.append(child.element)
                } else {
                    stack.append(child)
                }
            }
        }
    }

    /// Reads `<name attr="value" ...>` or `<name .../>`; returns the element and whether it was self-closing.
    private mutating func startTag() throws -> (OpenElement, Bool) {
        let tagStart = position
        let line = lineNumber(at: tagStart)
        position += 1
        guard let (nameStart, nameEnd) = name() else {
            throw XMLParseFailure(offset: position, reason: "expected an element name after '<', found \(describeByte(at: position))")
        }
        let elementName = string(nameStart, nameEnd)
        var attributes: [XMLElement.Attribute] = []
        var seen: Set<String>?
        while true {
            let hadSpace = skipWhitespace()
            guard position < bytes.count else {
                throw XMLParseFailure(offset: position, reason: "unexpected end of input in start tag <\(elementName)>")
            }
            let byte = bytes[position]
            if byte == XMLByte.greaterThan {
                position += 1
                let open = OpenElement(
                    element: XMLElement(name: elementName, attributes: attributes, line: line),
                    nameStart: nameStart, nameEnd: nameEnd)
                return (open, false)
            }
            if byte == XMLByte.slash {
                guard position + 1 < bytes.count, bytes[position + 1] == XMLByte.greaterThan else {
                    throw XMLParseFailure(offset: position, reason: "expected '/>' to end start tag <\(elementName)>")
                }
                position += 2
                let open = OpenElement(
                    element: XMLElement(name: elementName, attributes: attributes, line: line),
                    nameStart: nameStart, nameEnd: nameEnd)
                return (open, true)
            }
            let attributeStart = position
            guard hadSpace, let (start, end) = name() else {
                throw XMLParseFailure(
                    offset: position,
                    reason: "expected an attribute name, '>' or '/>' in start tag <\(elementName)>, found \(describeByte(at: position))")
            }
            let attributeName = string(start, end)
            skipWhitespace()
            guard position < bytes.count, bytes[position] == XMLByte.equals else {
                throw XMLParseFailure(offset: position, reason: "expected '=' after attribute '\(attributeName)'")
            }
            position += 1
            skipWhitespace()
            guard position < bytes.count, bytes[position] == XMLByte.doubleQuote || bytes[position] == XMLByte.singleQuote else {
                throw XMLParseFailure(offset: position, reason: "expected a quoted value for attribute '\(attributeName)'")
            }
            let value = try attributeValue()
            if attributes.count < 16 {
                if attributes.contains(where: { $0.name == attributeName }) {
                    throw XMLParseFailure(offset: attributeStart, reason: "duplicate attribute '\(attributeName)'")
                }
            } else {
                if seen == nil { seen = Set(attributes.map(\.name)) }
                guard seen!.insert(attributeName).inserted else {
                    throw XMLParseFailure(offset: attributeStart, reason: "duplicate attribute '\(attributeName)'")
                }
            }
            attributes.append(XMLElement.Attribute(attributeName, value))
        }
    }

    /// Reads `</name>` and checks it closes `open`.
    private mutating func endTag(of open: OpenElement) throws {
        let tagStart = position
        position += 2
        guard let (start, end) = name() else {
            throw XMLParseFailure(offset: position, reason: "expected an element name after '</', found \(describeByte(at: position))")
        }
        let sameName = end - start == open.nameEnd - open.nameStart
            && (0..<(end - start)).allSatisfy { bytes[start + $0] == bytes[open.nameStart + $0] }
        guard sameName else {
            throw XMLParseFailure(
                offset: tagStart,
                reason: "end tag </\(string(start, end))> does not match <\(open.element.name)> from line \(open.element.line)")
        }
        skipWhitespace()
        guard position < bytes.count, bytes[position] == XMLByte.greaterThan else {
            throw XMLParseFailure(offset: position, reason: "expected '>' to end end tag </\(open.element.name)>")
        }
        position += 1
    }

    // MARK: Character data

    /// Reads text up to the next `<`, decoding references, into `text`.
    private mutating func characterData(into text: inout [UInt8]) throws {
        let start = position
        var onlySpace = true
        while position < bytes.count {
            let byte = bytes[position]
            if byte == XMLByte.lessThan { break }
            if !isSpace(byte) { onlySpace = false }
            position += 1
        }
        // Indentation between elements: skipped while no real text has been seen.
        if onlySpace && text.isEmpty { return }
        var index = start
        while index < position {
            let byte = bytes[index]
            if byte == XMLByte.ampersand {
                let (scalar, next) = try reference(at: index)
                appendUTF8(scalar, to: &text)
                index = next
            } else if byte == XMLByte.carriageReturn {
                text.append(XMLByte.lineFeed)
                index += 1
                if index < position, bytes[index] == XMLByte.lineFeed { index += 1 }
            } else {
                text.append(byte)
                index += 1
            }
        }
    }

    /// Reads `<![CDATA[...]]>` into `text`, as it is except for line-end normalization.
    private mutating func cdata(into text: inout [UInt8]) throws {
        let start = position
        let contentStart = position + 9
        guard let end = find("]]>", from: contentStart) else {
            throw XMLParseFailure(offset: start, reason: "unterminated CDATA section")
        }
        var index = contentStart
        while index < end {
            let byte = bytes[index]
            if byte == XMLByte.carriageReturn {
                text.append(XMLByte.lineFeed)
                index += 1
                if index < end, bytes[index] == XMLByte.lineFeed { index += 1 }
            } else {
                text.append(byte)
                index += 1
            }
        }
        position = end + 3
    }

    /// Reads a quoted attribute value starting at the quote.
    private mutating func attributeValue() throws -> String {
        let quote = bytes[position]
        let quotePosition = position
        position += 1
        let start = position
        var plain = true
        while true {
            guard position < bytes.count else {
                throw XMLParseFailure(offset: quotePosition, reason: "unterminated attribute value")
            }
            let byte = bytes[position]
            if byte == quote { break }
            if byte == XMLByte.lessThan {
                throw XMLParseFailure(offset: position, reason: "'<' is not allowed in an attribute value")
            }
            if byte == XMLByte.ampersand || byte == XMLByte.tab || byte == XMLByte.lineFeed || byte == XMLByte.carriageReturn { plain = false }
            position += 1
        }
        let end = position
        position += 1
        if plain { return string(start, end) }
        var value: [UInt8] = []
        value.reserveCapacity(end - start)
        var index = start
        while index < end {
            let byte = bytes[index]
            switch byte {
            case XMLByte.ampersand:
                let (scalar, next) = try reference(at: index)
                appendUTF8(scalar, to: &value)
                index = next
            case XMLByte.carriageReturn:
                value.append(XMLByte.space)
                index += 1
                if index < end, bytes[index] == XMLByte.lineFeed { index += 1 }
            case XMLByte.tab, XMLByte.lineFeed:
                value.append(XMLByte.space)
                index += 1
            default:
                value.append(byte)
                index += 1
            }
        }
        return String(decoding: value, as: UTF8.self)
    }

    /// Decodes the reference starting with `&` at `start`; returns the scalar and the index after `;`.
    private func reference(at start: Int) throws -> (UInt32, Int) {
        var end = start + 1
        while end < bytes.count, end - start <= 32, isNameByte(bytes[end]) || bytes[end] == XMLByte.hash {
            end += 1
        }
        guard end < bytes.count, bytes[end] == XMLByte.semicolon, end > start + 1 else {
            throw XMLParseFailure(offset: start, reason: "'&' must start a reference such as '&amp;' that ends with ';'")
        }
        let body = UnsafeBufferPointer(rebasing: bytes[(start + 1)..<end])
        if body[0] == XMLByte.hash {
            var value: UInt32 = 0
            let hex = body.count > 1 && body[1] == UInt8(ascii: "x")
            let digits = hex ? body.dropFirst(2) : body.dropFirst(1)
            var valid = !digits.isEmpty
            for digit in digits where valid {
                guard let digitValue = Self.digitValue(digit, hex: hex) else {
                    valid = false
                    break
                }
                value = value * (hex ? 16 : 10) + digitValue
                if value > 0x10FFFF { valid = false }
            }
            guard valid, Self.isAllowedReference(value) else {
                throw XMLParseFailure(
                    offset: start, reason: "invalid character reference '&\(String(decoding: body, as: UTF8.self));'")
            }
            return (value, end + 1)
        }
        let scalar: UInt32
        switch String(decoding: body, as: UTF8.self) {
        case "amp": scalar = 0x26
        case "lt": scalar = 0x3C
        case "gt": scalar = 0x3E
        case "quot": scalar = 0x22
        case "apos": scalar = 0x27
        case let other:
            throw XMLParseFailure(offset: start, reason: "unknown entity '&\(other);'")
        }
        return (scalar, end + 1)
    }

    private static func digitValue(_ byte: UInt8, hex: Bool) -> UInt32? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): UInt32(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f") where hex: UInt32(byte - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A")...UInt8(ascii: "F") where hex: UInt32(byte - UInt8(ascii: "A") + 10)
        default: nil
        }
    }

    /// Scalars a character reference may produce: any but NUL, surrogates and U+FFFE/U+FFFF.
    /// Control characters are accepted (as XML 1.1 does) so that `XMLTreeWriter`'s escapes read back.
    private static func isAllowedReference(_ value: UInt32) -> Bool {
        (0x1...0xD7FF).contains(value) || (0xE000...0xFFFD).contains(value) || (0x10000...0x10FFFF).contains(value)
    }

    private func appendUTF8(_ scalar: UInt32, to output: inout [UInt8]) {
        switch scalar {
        case 0..<0x80:
            output.append(UInt8(scalar))
        case 0x80..<0x800:
            output.append(UInt8(0xC0 | scalar >> 6))
            output.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            output.append(UInt8(0xE0 | scalar >> 12))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        default:
            output.append(UInt8(0xF0 | scalar >> 18))
            output.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            output.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            output.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    // MARK: Skipped markup

    private mutating func skipComment() throws {
        guard let end = find("-->", from: position + 4) else {
            throw XMLParseFailure(offset: position, reason: "unterminated comment")
        }
        position = end + 3
    }

    private mutating func skipProcessingInstruction() throws {
        guard let end = find("?>", from: position + 2) else {
            throw XMLParseFailure(offset: position, reason: "unterminated processing instruction")
        }
        position = end + 2
    }

    /// Skips `<!DOCTYPE ...>`, including an internal subset in brackets and quoted literals.
    private mutating func skipDoctype() throws {
        let start = position
        var index = position + 9
        var depth = 0
        var quote: UInt8?
        while index < bytes.count {
            let byte = bytes[index]
            if let open = quote {
                if byte == open { quote = nil }
            } else if byte == XMLByte.doubleQuote || byte == XMLByte.singleQuote {
                quote = byte
            } else if byte == UInt8(ascii: "[") {
                depth += 1
            } else if byte == UInt8(ascii: "]") {
                depth = max(0, depth - 1)
            } else if byte == XMLByte.greaterThan, depth == 0 {
                position = index + 1
                return
            }
            index += 1
        }
        throw XMLParseFailure(offset: start, reason: "unterminated DOCTYPE")
    }

    // MARK: Encoding

    /// Checks that the input is UTF-8 without control characters other than tab, LF and CR.
    private func validateEncoding(from start: Int) throws {
        var index = start
        let count = bytes.count
        while index < count {
            let byte = bytes[index]
            if byte < 0x80 {
                if byte < 0x20, byte != XMLByte.tab, byte != XMLByte.lineFeed, byte != XMLByte.carriageReturn {
                    throw XMLParseFailure(offset: index, reason: "control character \(hexByte(byte)) is not allowed in XML")
                }
                index += 1
                continue
            }
            let length: Int
            var scalar: UInt32
            switch byte {
            case 0xC2...0xDF:
                length = 2
                scalar = UInt32(byte & 0x1F)
            case 0xE0...0xEF:
                length = 3
                scalar = UInt32(byte & 0x0F)
            case 0xF0...0xF4:
                length = 4
                scalar = UInt32(byte & 0x07)
            default:
                throw XMLParseFailure(offset: index, reason: "invalid UTF-8 byte \(hexByte(byte))")
            }
            guard index + length <= count else {
                throw XMLParseFailure(offset: index, reason: "truncated UTF-8 sequence")
            }
            for offset in 1..<length {
                let continuation = bytes[index + offset]
                guard continuation & 0xC0 == 0x80 else {
                    throw XMLParseFailure(offset: index, reason: "invalid UTF-8 sequence")
                }
                scalar = scalar << 6 | UInt32(continuation & 0x3F)
            }
            let overlong = (length == 3 && scalar < 0x800) || (length == 4 && scalar < 0x10000)
            if overlong || (0xD800...0xDFFF).contains(scalar) || scalar > 0x10FFFF {
                throw XMLParseFailure(offset: index, reason: "invalid UTF-8 sequence")
            }
            index += length
        }
    }

    // MARK: Helpers

    /// Reads an XML name at the cursor; returns its byte range or nil if none starts here.
    private mutating func name() -> (Int, Int)? {
        let start = position
        guard position < bytes.count, isNameStart(bytes[position]) else { return nil }
        position += 1
        while position < bytes.count, isNameByte(bytes[position]) { position += 1 }
        return (start, position)
    }

    /// Skips spaces, tabs and line breaks; returns whether there were any.
    @discardableResult
    private mutating func skipWhitespace() -> Bool {
        let start = position
        while position < bytes.count, isSpace(bytes[position]) { position += 1 }
        return position > start
    }

    /// Whether the input continues with `literal` at the cursor.
    private func matches(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard position + count <= bytes.count else { return false }
        let pointer = literal.utf8Start
        for offset in 0..<count where bytes[position + offset] != pointer[offset] { return false }
        return true
    }

    /// The index of the next occurrence of `literal` at or after `start`.
    private func find(_ literal: StaticString, from start: Int) -> Int? {
        let count = literal.utf8CodeUnitCount
        let pointer = literal.utf8Start
        let first = pointer[0]
        var index = start
        while index + count <= bytes.count {
            if bytes[index] == first {
                var offset = 1
                while offset < count, bytes[index + offset] == pointer[offset] { offset += 1 }
                if offset == count { return index }
            }
            index += 1
        }
        return nil
    }

    /// The line of byte `offset`, counting forward from the last call (offsets only grow).
    private mutating func lineNumber(at offset: Int) -> Int {
        var index = linesCountedTo
        while index < offset {
            let byte = bytes[index]
            if byte == XMLByte.lineFeed {
                if index == 0 || bytes[index - 1] != XMLByte.carriageReturn { line += 1 }
            } else if byte == XMLByte.carriageReturn {
                line += 1
            }
            index += 1
        }
        linesCountedTo = max(linesCountedTo, offset)
        return line
    }

    private func string(_ start: Int, _ end: Int) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self)
    }

    private func trimmedString(_ text: [UInt8]) -> String {
        guard !text.isEmpty else { return "" }
        var start = 0
        var end = text.count
        while start < end, isSpace(text[start]) { start += 1 }
        while end > start, isSpace(text[end - 1]) { end -= 1 }
        return String(decoding: text[start..<end], as: UTF8.self)
    }

    /// A short description of the byte at `offset` for messages, e.g. `'x'` or `end of input`.
    private func describeByte(at offset: Int) -> String {
        guard offset < bytes.count else { return "end of input" }
        let byte = bytes[offset]
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        if byte == XMLByte.space { return "a space" }
        if byte >= 0x80 {
            // The input is valid UTF-8 here: show the whole character.
            var end = offset + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(string(offset, end))'"
        }
        return hexByte(byte)
    }

    private func hexByte(_ byte: UInt8) -> String {
        let digits = Array("0123456789ABCDEF")
        return "0x\(digits[Int(byte >> 4)])\(digits[Int(byte & 0xF)])"
    }

    private func isSpace(_ byte: UInt8) -> Bool {
        byte == XMLByte.space || byte == XMLByte.lineFeed || byte == XMLByte.tab || byte == XMLByte.carriageReturn
    }

    private func isNameStart(_ byte: UInt8) -> Bool {
        (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "z")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z"))
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":") || byte >= 0x80
    }

    private func isNameByte(_ byte: UInt8) -> Bool {
        isNameStart(byte) || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) || byte == UInt8(ascii: "-")
            || byte == UInt8(ascii: ".")
    }
}

/// The ASCII bytes the parser looks for.
private enum XMLByte {
    static let tab: UInt8 = 0x09
    static let lineFeed: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let lessThan: UInt8 = 0x3C
    static let greaterThan: UInt8 = 0x3E
    static let slash: UInt8 = 0x2F
    static let exclamation: UInt8 = 0x21
    static let question: UInt8 = 0x3F
    static let ampersand: UInt8 = 0x26
    static let semicolon: UInt8 = 0x3B
    static let hash: UInt8 = 0x23
    static let equals: UInt8 = 0x3D
    static let doubleQuote: UInt8 = 0x22
    static let singleQuote: UInt8 = 0x27
}
