import Testing

@testable import Core

@Suite struct XMLTreeParserTests {
    private func parse(_ text: String) throws -> XMLElement {
        try XMLTreeParser.parse(Array(text.utf8))
    }

    /// The line, column and reason of the parse error for `bytes`, or nil if it parses.
    private func failure(_ bytes: [UInt8]) -> (line: Int, column: Int, reason: String)? {
        do {
            _ = try XMLTreeParser.parse(bytes)
            return nil
        } catch let IRError.malformedXML(line, column, reason) {
            return (line, column, reason)
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    private func failure(_ text: String) -> (line: Int, column: Int, reason: String)? {
        failure(Array(text.utf8))
    }

    // MARK: Structure

    @Test func readsElementsAttributesAndText() throws {
        let root = try parse(#"<net name="n" version="11"><layers><layer id="0"/><layer id="1">x</layer></layers><edges/></net>"#)
        #expect(root.name == "net")
        #expect(root.attributes == [.init("name", "n"), .init("version", "11")])
        #expect(root.children.map(\.name) == ["layers", "edges"])
        let layers = try #require(root.child("layers"))
        #expect(layers.children.count == 2)
        #expect(layers.children[0] == XMLElement(name: "layer", attributes: [.init("id", "0")], line: 1))
        #expect(layers.children[1].text == "x")
        #expect(root.child("edges")?.children.isEmpty == true)
    }

    @Test func keepsAttributeOrderAndQuotes() throws {
        let root = try parse(#"<a z='1' b="it's" a='say "hi"' m = "spaced" />"#)
        #expect(root.attributes.map(\.name) == ["z", "b", "a", "m"])
        #expect(root[attribute: "b"] == "it's")
        #expect(root[attribute: "a"] == #"say "hi""#)
        #expect(root[attribute: "m"] == "spaced")
        #expect(root.children.isEmpty && root.text.isEmpty)
    }

    @Test func decodesEntitiesAndCharacterReferences() throws {
        let root = try parse(#"<a v="&amp;&lt;&gt;&quot;&apos; &#65;&#x42;&#x20AC;&#128512;">&lt;b&gt; &amp; &#x41;&#66;</a>"#)
        #expect(root[attribute: "v"] == "&<>\"' AB\u{20AC}\u{1F600}")
        #expect(root.text == "<b> & AB")
    }

    @Test func normalizesWhitespaceInAttributeValues() throws {
        let root = try parse("<a v=\"x\ty\nz\r\nw\" r=\"&#9;&#10;\"/>")
        #expect(root[attribute: "v"] == "x y z w")
        // References are not normalized: they are how a value keeps a tab or a line feed.
        #expect(root[attribute: "r"] == "\t\n")
    }

    @Test func keepsCDATAAsText() throws {
        let root = try parse("<a><![CDATA[x < y && <b> ]] &amp;]]></a>")
        #expect(root.text == "x < y && <b> ]] &amp;")
        #expect(root.children.isEmpty)
    }

    @Test func skipsDeclarationCommentsProcessingInstructionsAndDoctype() throws {
        let text = """
            \u{FEFF}<?xml version="1.0" encoding="UTF-8"?>
            <!-- a comment with <tags> & ampersands -->
            <!DOCTYPE net [ <!ELEMENT net ANY> <!ATTLIST net name CDATA "x>y"> ]>
            <?pi data?>
            <net><!-- inside --><?inside pi?><layers/><!----></net>
            <!-- trailing comment -->
            <?trailing pi?>

            """
        let root = try parse(text)
        #expect(root.name == "net")
        #expect(root.children.map(\.name) == ["layers"])
        #expect(root.text.isEmpty)
        #expect(root.line == 5)
    }

    @Test func dropsWhitespaceOnlyTextAndTrimsText() throws {
        let root = try parse("<a>\n\t<b>  padded text \n </b>\n\t<c>\n\t</c>\n</a>")
        #expect(root.text.isEmpty)
        #expect(root.children[0].text == "padded text")
        #expect(root.children[1].text.isEmpty)
    }

    @Test func joinsTextAroundCommentsAndChildren() throws {
        let root = try parse("<a> one <!-- c --> two <b/> three </a>")
        #expect(root.text == "one  two  three")
        #expect(root.children.map(\.name) == ["b"])
    }

    @Test func recordsLineOfEachStartTag() throws {
        let text = """
            <?xml version="1.0"?>
            <!-- comment
            spanning lines -->
            <root>
              <a x="1"
                 y="2"/>
              <b>
                <c/>text
              </b>
            </root>
            """
        for lineEnd in ["\n", "\r\n", "\r"] {
            let root = try parse(text.replacingLineEnds(with: lineEnd))
            #expect(root.line == 4)
            #expect(root.children.map(\.line) == [5, 7])
            #expect(root.children[1].children.first?.line == 8)
            #expect(root.children[1].text == "text")
        }
    }

    @Test func normalizesLineEndsInText() throws {
        let root = try parse("<a>x\r\ny\rz</a>")
        #expect(root.text == "x\ny\nz")
    }

    @Test func acceptsNestingUpToTheLimit() throws {
        let depth = XMLTreeParser.maximumDepth
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        var element = try parse(text)
        var levels = 1
        while let child = element.children.first {
            element = child
            levels += 1
        }
        #expect(levels == depth)
    }

    // MARK: Errors

    /// Malformed inputs, each with the exact place and a word of the reason.
    static let malformed: [(text: String, line: Int, column: Int, reason: String)] = [
        ("", 1, 1, "empty document"),
        ("   \n  ", 2, 3, "no root element"),
        ("text<a/>", 1, 1, "expected the root element"),
        ("<a>", 1, 4, "<a> from line 1 is not closed"),
        ("<a>\n  <b>\n  </c>\n</a>", 3, 3, "end tag </c> does not match <b> from line 2"),
        ("<a><b></a>", 1, 7, "does not match <b>"),
        ("<a>\r\n<b>\r\n</a>", 3, 1, "does not match <b>"),
        (#"<a x="1" y=2/>"#, 1, 12, "quoted value for attribute 'y'"),
        (#"<a x="1"x="2"/>"#, 1, 9, "expected an attribute name"),
        (#"<a x="1" x="2"/>"#, 1, 10, "duplicate attribute 'x'"),
        (#"<a x'1'/>"#, 1, 5, "expected '=' after attribute 'x'"),
        ("<a>\n\t<b x=\"1\"\n\t   y></b></a>", 3, 6, "expected '=' after attribute 'y'"),
        (#"<a x='1"/>"#, 1, 6, "unterminated attribute value"),
        (#"<a b="<"/>"#, 1, 7, "'<' is not allowed"),
        ("<a>&bogus;</a>", 1, 4, "unknown entity '&bogus;'"),
        ("<a>\n  x &amp y</a>", 2, 5, "'&' must start a reference"),
        ("<a>&#0;</a>", 1, 4, "invalid character reference '&#0;'"),
        ("<a>&#xD800;</a>", 1, 4, "invalid character reference"),
        ("<a>&#x110000;</a>", 1, 4, "invalid character reference"),
        ("<a>&#12a;</a>", 1, 4, "invalid character reference"),
        ("<a/>\n<b/>", 2, 1, "junk after the root element"),
        ("<a></a><!DOCTYPE a>", 1, 8, "junk after the root element"),
        ("<a></a>x", 1, 8, "junk after the root element"),
        ("<a><!-- x</a>", 1, 4, "unterminated comment"),
        (#"<?xml version="1.0"?><!-- never closed"#, 1, 22, "unterminated comment"),
        ("<?xml version=\"1.0\"", 1, 1, "unterminated processing instruction"),
        ("<a>\n<![CDATA[ x", 2, 1, "unterminated CDATA section"),
        ("<!DOCTYPE a [ <!ENTITY x \"]>\"> ", 1, 1, "unterminated DOCTYPE"),
        ("<a><!ELEMENT b></a>", 1, 4, "unexpected '<!' markup"),
        ("<a>< b/></a>", 1, 5, "expected an element name after '<'"),
        ("<a></ a>", 1, 6, "expected an element name after '</'"),
        ("<a></a x>", 1, 8, "expected '>' to end end tag </a>"),
        ("<a/ >", 1, 3, "expected '/>'"),
        ("<a x=\"1\"", 1, 9, "unexpected end of input in start tag <a>"),
        ("<a>\u{1}</a>", 1, 4, "control character 0x01"),
    ]

    @Test(arguments: malformed.indices)
    func reportsMalformedInputWithItsPlace(index: Int) throws {
        let expected = Self.malformed[index]
        let found = try #require(failure(expected.text), "'\(expected.text)' parsed")
        #expect(found.line == expected.line, "\(expected.text): \(found)")
        #expect(found.column == expected.column, "\(expected.text): \(found)")
        #expect(found.reason.contains(expected.reason), "\(expected.text): \(found)")
    }

    @Test func reportsInvalidUTF8WithColumnsInCharacters() throws {
        // 'é' before the bad byte is one column.
        let badByte = Array("<a>\u{E9}".utf8) + [0xFF] + Array("</a>".utf8)
        let found = try #require(failure(badByte))
        #expect(found.line == 1 && found.column == 5)
        #expect(found.reason == "invalid UTF-8 byte 0xFF")

        let cases: [[UInt8]] = [
            Array("<a>\n".utf8) + [0xC3],  // truncated
            Array("<a>\n".utf8) + [0xC3, 0x41] + Array("</a>".utf8),  // bad continuation
            Array("<a>\n".utf8) + [0xC0, 0x80] + Array("</a>".utf8),  // overlong NUL
            Array("<a>\n".utf8) + [0xE0, 0x80, 0x80] + Array("</a>".utf8),  // overlong
            Array("<a>\n".utf8) + [0xED, 0xA0, 0x80] + Array("</a>".utf8),  // surrogate
            Array("<a>\n".utf8) + [0xF4, 0x90, 0x80, 0x80] + Array("</a>".utf8),  // above U+10FFFF
        ]
        for bytes in cases {
            let found = try #require(failure(bytes))
            #expect(found.line == 2 && found.column == 1, "\(bytes): \(found)")
            #expect(found.reason.contains("UTF-8"), "\(bytes): \(found)")
        }
    }

    @Test func rejectsNestingDeeperThanTheLimit() throws {
        let depth = XMLTreeParser.maximumDepth + 1
        let text = String(repeating: "<a>", count: depth) + String(repeating: "</a>", count: depth)
        let found = try #require(failure(text))
        #expect(found.line == 1 && found.column == 3 * XMLTreeParser.maximumDepth + 1)
        #expect(found.reason.contains("nested deeper"))
        // Far deeper input fails the same way instead of exhausting the stack.
        #expect(failure(String(repeating: "<a>", count: 200_000))?.reason.contains("nested deeper") == true)
    }

    @Test func errorDescriptionIsOneLineWithThePlace() {
        let error = IRFixtures.irError { _ = try XMLTreeParser.parse(Array("<a>\n<b></a>".utf8)) }
        #expect(error?.description == "malformed IR XML at line 2, column 4: end tag </a> does not match <b> from line 2")
    }

    // MARK: Robustness

    /// Random documents over an alphabet rich in XML syntax, and random bytes: the parser
    /// either returns a tree the writer round-trips or throws `malformedXML` inside the input.
    @Test func randomInputNeverCrashes() {
        var generator = SeededGenerator(seed: 2024, stream: "XMLTreeParserTests.random")
        let alphabet = Array("<<<>>//==\"\"''&;#x!-?[]CDATAab c\n\t\r1&amp;&lt;<a><b/></a><!--->]]>".utf8)
        var parsed = 0
        for iteration in 0..<3000 {
            let length = Int(generator.next() % 80)
            let bytes: [UInt8] = (0..<length).map { _ in
                iteration % 3 == 0 ? UInt8(truncatingIfNeeded: generator.next()) : alphabet[Int(generator.next() % UInt64(alphabet.count))]
            }
            if check(bytes) { parsed += 1 }
        }
        // A few random documents are well formed; most are not.
        #expect(parsed < 3000)
    }

    /// The v11 fixture with a few bytes replaced, inserted, deleted or repeated.
    @Test func mutatedDocumentsNeverCrash() {
        var generator = SeededGenerator(seed: 99, stream: "XMLTreeParserTests.mutated")
        let original = IRFixtures.bytes(IRFixtures.v11XML)
        let interesting = Array("<>/=\"'&;#!-?[] \n\u{FF}".utf8)
        var parsed = 0
        for _ in 0..<2000 {
            var bytes = original
            for _ in 0...(generator.next() % 4) {
                let position = Int(generator.next() % UInt64(bytes.count))
                let byte = generator.next() % 2 == 0
                    ? interesting[Int(generator.next() % UInt64(interesting.count))]
                    : UInt8(truncatingIfNeeded: generator.next())
                switch generator.next() % 4 {
                case 0: bytes[position] = byte
                case 1: bytes.insert(byte, at: position)
                case 2: bytes.remove(at: position)
                default:
                    let end = min(bytes.count, position + Int(generator.next() % 40))
                    bytes.insert(contentsOf: bytes[position..<end], at: Int(generator.next() % UInt64(bytes.count)))
                }
                if bytes.isEmpty { break }
            }
            if check(bytes) { parsed += 1 }
            // The IR reader on top must fail only with IR errors too.
            do {
                _ = try IRReader.read(xml: bytes, weights: IRFixtures.v11Weights)
            } catch is IRError {
            } catch {
                Issue.record("IRReader threw \(error)")
            }
        }
        #expect(parsed > 0)
    }

    /// Parses `bytes`; on success checks the writer round trip, on failure that the error
    /// is `malformedXML` at a place inside the input. Returns whether it parsed.
    private func check(_ bytes: [UInt8]) -> Bool {
        do {
            let tree = try XMLTreeParser.parse(bytes)
            let again = try XMLTreeParser.parse(XMLTreeWriter.write(tree))
            #expect(withoutLines(again) == withoutLines(tree), "\(bytes)")
            return true
        } catch let IRError.malformedXML(line, column, _) {
            let lineBreaks = bytes.filter { $0 == 0x0A || $0 == 0x0D }.count
            #expect(line >= 1 && line <= lineBreaks + 1, "\(bytes)")
            #expect(column >= 1 && column <= bytes.count + 1, "\(bytes)")
        } catch {
            Issue.record("unexpected error \(error) for \(bytes)")
        }
        return false
    }

    private func withoutLines(_ element: XMLElement) -> XMLElement {
        var copy = element
        copy.line = 0
        copy.children = element.children.map(withoutLines)
        return copy
    }

    @Test func parsesALargeIR() throws {
        let text = IRFixtures.chainXML(layers: 2800)
        #expect(text.utf8.count > 2_000_000)
        let root = try parse(text)
        let layers = try #require(root.child("layers"))
        #expect(layers.children.count == 2800)
        #expect(layers.children[7][attribute: "name"] == "relu_7 & co")
        // Line 4 opens the 14-line Parameter; each ReLU takes 27 lines.
        #expect(layers.children[7].line == 18 + 27 * 6)
        #expect(root.child("edges")?.children.count == 2799)
    }
}

extension String {
    /// The text with every line feed replaced by `lineEnd`.
    fileprivate func replacingLineEnds(with lineEnd: String) -> String {
        split(separator: "\n", omittingEmptySubsequences: false).joined(separator: lineEnd)
    }
}
