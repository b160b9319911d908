/// Writes an `XMLElement` tree as UTF-8 XML laid out the way OpenVINO's serializer lays
/// out IRs: an XML declaration, one element per line, indented with tabs, attributes in
/// stored order, `<x/>` for empty elements and `<x>text</x>` for text-only elements.
/// The output depends only on the tree, and `XMLTreeParser` reads it back to the same
/// tree (apart from `line`) as long as text has no surrounding whitespace.
public enum XMLTreeWriter {
    public static func write(_ root: XMLElement) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(4096)
        output.append(contentsOf: #"<?xml version="1.0"?>"#.utf8)
        output.append(lineFeed)

        // Depth first without recursion, so that any tree the caller builds can be written.
        struct Frame {
            let element: XMLElement
            let depth: Int
            var nextChild = 0
        }
        var stack: [Frame] = []
        if writeStart(of: root, depth: 0, into: &output) {
            stack.append(Frame(element: root, depth: 0))
        }
        while !stack.isEmpty {
            let top = stack.count - 1
            let frame = stack[top]
            if frame.nextChild < frame.element.children.count {
                let child = frame.element.children[frame.nextChild]
                stack[top].nextChild += 1
                if writeStart(of: child, depth: frame.depth + 1, into: &output) {
                    stack.append(Frame(element: child, depth: frame.depth + 1))
                }
            } else {
                indent(frame.depth, into: &output)
                output.append(contentsOf: "</".utf8)
                output.append(contentsOf: frame.element.name.utf8)
                output.append(greaterThan)
                output.append(lineFeed)
                stack.removeLast()
            }
        }
        return output
    }

    /// Writes the start tag (and, for elements without children, the whole element);
    /// returns true when children follow and an end tag is still needed.
    private static func writeStart(of element: XMLElement, depth: Int, into output: inout [UInt8]) -> Bool {
        indent(depth, into: &output)
        output.append(lessThan)
        output.append(contentsOf: element.name.utf8)
        for attribute in element.attributes {
            output.append(space)
            output.append(contentsOf: attribute.name.utf8)
            output.append(contentsOf: "=\"".utf8)
            escape(attribute.value, inAttribute: true, into: &output)
            output.append(quote)
        }
        if element.children.isEmpty {
            if element.text.isEmpty {
                output.append(contentsOf: "/>".utf8)
            } else {
                output.append(greaterThan)
                escape(element.text, inAttribute: false, into: &output)
                output.append(contentsOf: "</".utf8)
                output.append(contentsOf: element.name.utf8)
                output.append(greaterThan)
            }
            output.append(lineFeed)
            return false
        }
        output.append(greaterThan)
        output.append(lineFeed)
        if !element.text.isEmpty {
            indent(depth + 1, into: &output)
            escape(element.text, inAttribute: false, into: &output)
            output.append(lineFeed)
        }
        return true
    }

    private static func indent(_ depth: Int, into output: inout [UInt8]) {
        output.append(contentsOf: repeatElement(tab, count: depth))
    }

    /// Appends `text` with `&`, `<` and `>` escaped, plus `"` in attributes. Characters a
    /// parser would not read back as they are become character references: CR always,
    /// tab and LF in attributes (where parsers turn them into spaces), other controls everywhere.
    private static func escape(_ text: String, inAttribute: Bool, into output: inout [UInt8]) {
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "&"): output.append(contentsOf: "&amp;".utf8)
            case UInt8(ascii: "<"): output.append(contentsOf: "&lt;".utf8)
            case UInt8(ascii: ">"): output.append(contentsOf: "&gt;".utf8)
            case UInt8(ascii: "\"") where inAttribute: output.append(contentsOf: "&quot;".utf8)
            case tab, lineFeed:
                if inAttribute { characterReference(byte, into: &output) } else { output.append(byte) }
            case 0..<0x20: characterReference(byte, into: &output)
            default: output.append(byte)
            }
        }
    }

    private static func characterReference(_ byte: UInt8, into output: inout [UInt8]) {
        output.append(contentsOf: "&#".utf8)
        output.append(contentsOf: String(byte).utf8)
        output.append(UInt8(ascii: ";"))
    }

    private static let tab = UInt8(ascii: "\t")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let space = UInt8(ascii: " ")
    private static let quote = UInt8(ascii: "\"")
    private static let lessThan = UInt8(ascii: "<")
    private static let greaterThan = UInt8(ascii: ">")
}
