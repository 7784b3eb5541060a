import Testing

@testable import HTTP1

@Test func parser_ParsesSimpleGet_WhenFedWhole() throws {
    var parser = RequestParser()
    parser.append(Array("GET /a?b=1 HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
    let request = try #require(try parser.nextRequest())
    #expect(request.method == .GET)
    #expect(request.path == "/a")
    #expect(request.query == "b=1")
    #expect(request.headers["HOST"] == "x")
}
