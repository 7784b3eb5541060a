import Testing

@testable import JSON

@Suite struct JSONParserTests {
    let parser = JSONParser()

    @Test func parser_ParsesEveryValueKind() throws {
        let value = try parser.parse(#" {"a":[1,-2.5e3,0,true,false,null],"b":"x\u00e9\n\"\ud83d\ude00","c":{}} "#)
        #expect(value["a"]?.array?.count == 6)
        #expect(value["a"]?[1]?.number == -2500)
        #expect(value["b"] == .string("xé\n\"😀"))
        #expect(value["c"] == .object([]))
        guard case .number(let n)? = value["a"]?[0] else {
            Issue.record("not a number")
            return
        }
        #expect(n.int == 1)
    }

    @Test func parser_KeepsMemberOrder() throws {
        guard case .object(let members) = try parser.parse(#"{"z":1,"a":2,"m":3}"#) else {
            Issue.record("not an object")
            return
        }
        #expect(members.map(\.key) == ["z", "a", "m"])
    }

    @Test(arguments: [
        "", " ", "{", "[1,]", "{\"a\":1,}", "{'a':1}", "{\"a\" 1}", "[1 2]", "01", "-", "1.", ".5", "1e", "+1",
        "NaN", "Infinity", "-Infinity", "nan", "tru", "nul", "\"abc", "\"\\x\"", "\"\\ud800\"", "\"\\udc00x\"",
        "\"a\u{01}b\"", "[1]x", "{\"a\":1}{}", "1e400", "// c\n1", "\"\\u12G4\"",
    ])
    func parser_Rejects_WhenInputIsNotStrictJSON(_ text: String) {
        #expect(throws: JSONParseError.self) { try parser.parse(text) }
    }

    @Test func parser_RejectsDuplicateKeys_EvenWhenNested() {
        #expect(throws: JSONParseError.self) { try parser.parse(#"{"a":1,"a":1}"#) }
        #expect(throws: JSONParseError.self) { try parser.parse(#"{"x":{"b":1,"b":2}}"#) }
        #expect(throws: JSONParseError.self) { try parser.parse(#"{"a":1,"\u0061":2}"#) }
    }

    @Test func parser_RejectsInvalidUTF8() {
        #expect(throws: JSONParseError.self) { try parser.parse([0x22, 0xFF, 0x22]) }
        #expect(throws: JSONParseError.self) { try parser.parse([0x22, 0xC3, 0x22]) }
    }

    @Test func parser_BoundsNesting_WhenDeeperThanTheLimit() throws {
        let shallow = JSONParser(maximumDepth: 4)
        _ = try shallow.parse("[[[[1]]]]")
        #expect(throws: JSONParseError.self) { try shallow.parse("[[[[[1]]]]]") }
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: JSONParseError.self) { try parser.parse(deep) }
    }

    @Test func parser_ReportsTheOffset_WhenItFails() {
        do {
            _ = try parser.parse(#"{"a": tru}"#)
            Issue.record("parsed")
        } catch {
            #expect(error.offset == 6)
        }
    }

    @Test func writer_EscapesStrings_AndRoundTripsValues() throws {
        let value = try parser.parse(#"{"s":"q\"b\\n\n\t\u0001é","n":[1,2.5,-0.0],"o":{"k":null,"t":true}}"#)
        let w = JSONWriter()
        w.value(value)
        #expect(try parser.parse(w.bytes) == value)
        let s = JSONWriter()
        s.string("\u{7}")
        #expect(String(decoding: s.bytes, as: UTF8.self) == #""\u0007""#)
    }

    @Test func writer_WritesMatricesAndIntegers() {
        let w = JSONWriter()
        let values: [Float] = [1, 0.5, -2, 0.25]
        values.withUnsafeBufferPointer { w.matrix($0, rows: 2, columns: 2) }
        w.byte(UInt8(ascii: " "))
        w.ints([Int32(-3), 0, 42])
        w.byte(UInt8(ascii: " "))
        w.int(Int.min)
        #expect(String(decoding: w.bytes, as: UTF8.self) == "[[1.0,0.5],[-2.0,0.25]] [-3,0,42] \(Int.min)")
    }
}
