import Testing

@testable import JSON

@Suite struct JSONStringTests {
    private func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func errorBody_EscapesQuotesAndControls_WhenMessageHasThem() {
        let body = JSONString.errorBody(code: "c\"d", message: "a\\b\n\u{1}é")
        #expect(text(body) == #"{"error":{"code":"c\"d","message":"a\\b\n\u0001é"}}"#)
    }

    @Test func append_UsesShortFormsAndEscapesDelete_WhenGivenEveryControl() {
        let input = "\u{8}\u{9}\u{A}\u{C}\u{D}\u{1F}\u{7F}"
        #expect(text(JSONString.quoted(input)) == #""\b\t\n\f\r\u001f\u007f""#)
    }

    @Test func writerAndEscaper_Agree_WhenGivenEveryByteValue() throws {
        var all = ""
        for scalar in 0..<0x180 { all.unicodeScalars.append(try #require(Unicode.Scalar(scalar))) }
        let w = JSONWriter()
        w.string(all)
        #expect(w.bytes == JSONString.quoted(all))
        let parsed = try JSONParser().parse(w.bytes)
        #expect(parsed == .string(all))
    }

    @Test func errorBody_AppendsExtraMembers_InOrder() {
        let body = JSONString.errorBody(
            code: "x", message: "y", extra: [("param", JSONString.quoted("input")), ("n", Array("3".utf8))])
        #expect(text(body) == #"{"error":{"code":"x","message":"y","param":"input","n":3}}"#)
    }
}
