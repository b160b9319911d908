import Testing

@testable import Core

@Suite struct XMLTreeWriterTests {
    private func text(_ root: XMLElement) -> String {
        String(decoding: XMLTreeWriter.write(root), as: UTF8.self)
    }

    @Test func writesTabIndentedTreeWithDeclaration() {
        let root = XMLElement(
            name: "net", attributes: [.init("name", "n"), .init("version", "11")],
            children: [
                XMLElement(
                    name: "layers",
                    children: [
                        XMLElement(name: "layer", attributes: [.init("id", "0"), .init("type", "Parameter")]),
                        XMLElement(
                            name: "port", attributes: [.init("id", "1")],
                            children: [XMLElement(name: "dim", text: "1"), XMLElement(name: "dim", text: "-1")]),
                    ]),
                XMLElement(name: "edges"),
            ])
        let expected = """
            <?xml version="1.0"?>
            <net name="n" version="11">
            \t<layers>
            \t\t<layer id="0" type="Parameter"/>
            \t\t<port id="1">
            \t\t\t<dim>1</dim>
            \t\t\t<dim>-1</dim>
            \t\t</port>
            \t</layers>
            \t<edges/>
            </net>

            """
        #expect(text(root) == expected)
    }

    @Test func keepsAttributeOrderAsStored() {
        let root = XMLElement(name: "a", attributes: [.init("z", "1"), .init("a", "2"), .init("m", "3")])
        #expect(text(root) == "<?xml version=\"1.0\"?>\n<a z=\"1\" a=\"2\" m=\"3\"/>\n")
    }

    @Test func escapesAttributesAndText() {
        let root = XMLElement(
            name: "a", attributes: [.init("v", #"x & y < z > "q" 's'"#), .init("w", "tab\tline\ncr\r")],
            children: [XMLElement(name: "t", text: #"1 < 2 && 3 > "2" 'x'"#)])
        let expected = """
            <?xml version="1.0"?>
            <a v="x &amp; y &lt; z &gt; &quot;q&quot; 's'" w="tab&#9;line&#10;cr&#13;">
            \t<t>1 &lt; 2 &amp;&amp; 3 &gt; "2" 'x'</t>
            </a>

            """
        #expect(text(root) == expected)
    }

    @Test func writesTextBeforeChildrenOfMixedElements() {
        let root = XMLElement(name: "a", children: [XMLElement(name: "b")], text: "note")
        #expect(text(root) == "<?xml version=\"1.0\"?>\n<a>\n\tnote\n\t<b/>\n</a>\n")
    }

    @Test func isDeterministic() {
        let root = XMLElement(
            name: "net", attributes: [.init("b", "1"), .init("a", "2")],
            children: (0..<50).map { XMLElement(name: "n\($0)", attributes: [.init("k", "\($0)")], text: "\($0 * 7)") })
        #expect(XMLTreeWriter.write(root) == XMLTreeWriter.write(root))
    }

    @Test func parserReadsTheOutputBackToTheSameTree() throws {
        let root = XMLElement(
            name: "net",
            attributes: [.init("name", "résumé \u{1F600}"), .init("odd", "a\tb\nc\r\"'<>&"), .init("empty", "")],
            children: [
                XMLElement(name: "layers", children: [XMLElement(name: "x:y-z.w_1", text: "a\nb & <c> \"d\" \u{7}")]),
                XMLElement(name: "edges", children: [XMLElement(name: "e")], text: "mixed"),
            ])
        let again = try XMLTreeParser.parse(XMLTreeWriter.write(root))
        #expect(withoutLines(again) == root)
        #expect(again.line == 2)
    }

    @Test func rewritingAParsedIRGivesTheSameBytes() throws {
        let bytes = IRFixtures.bytes(IRFixtures.v11XML)
        #expect(XMLTreeWriter.write(try XMLTreeParser.parse(bytes)) == bytes)
    }

    @Test func writesDeepTreesWithoutRecursion() throws {
        var element = XMLElement(name: "leaf")
        for _ in 0..<(XMLTreeParser.maximumDepth - 1) { element = XMLElement(name: "a", children: [element]) }
        let bytes = XMLTreeWriter.write(element)
        #expect(withoutLines(try XMLTreeParser.parse(bytes)) == element)
    }

    private func withoutLines(_ element: XMLElement) -> XMLElement {
        var copy = element
        copy.line = 0
        copy.children = element.children.map(withoutLines)
        return copy
    }
}
