import Testing

@testable import HTTP1

@Suite struct RequestParserLimitTests {
    static let small = ParserLimits(
        maxRequestLineBytes: 32, maxHeaderBytes: 48, maxHeaderCount: 3, maxBodyBytes: 10, maxChunkLineBytes: 12)

    @Test func parser_AcceptsRequestLine_WhenExactlyAtLimit() {
        // "GET /aaaaaaaaaaaaaaaa HTTP/1.1\r\n" is 32 bytes.
        let target = "/" + String(repeating: "a", count: 16)
        expectAccepted("GET \(target) HTTP/1.1\nHost: x\n\n", limits: Self.small)
    }

    @Test func parser_RejectsWith414_WhenRequestLineExceedsLimit() {
        let target = "/" + String(repeating: "a", count: 17)
        expectRejection("GET \(target) HTTP/1.1\nHost: x\n\n", .requestLineTooLong, status: 414, limits: Self.small)
    }

    @Test func parser_RejectsWith414_BeforeLineEnds_WhenRequestLineExceedsLimit() throws {
        var parser = RequestParser(limits: Self.small)
        parser.append(Array(repeating: UInt8(ascii: "a"), count: 32))
        #expect(try parser.next() == nil)
        parser.append([UInt8(ascii: "a")])
        #expect(throws: ParseError.requestLineTooLong) { try parser.next() }
    }

    @Test func parser_RejectsWith414_WhenEmptyLinesBeforeRequestLineExceedLimit() {
        let empties = String(repeating: "\n", count: 17)
        expectRejection("\(empties)GET / HTTP/1.1\nHost: x\n\n", .requestLineTooLong, status: 414, limits: Self.small)
        expectAccepted("\(String(repeating: "\n", count: 16))GET / HTTP/1.1\nHost: x\n\n", limits: Self.small)
    }

    @Test func parser_AcceptsHeaderSection_WhenExactlyAtLimit() {
        // 16 + 15 + 15 + 2 = 48 bytes.
        expectAccepted("GET / HTTP/1.1\nHost: xxxxxxxx\nA: bbbbbbbbbb\nC: dddddddddd\n\n", limits: Self.small)
    }

    @Test func parser_RejectsWith431_WhenHeaderSectionExceedsLimit() {
        expectRejection(
            "GET / HTTP/1.1\nHost: xxxxxxxx\nA: bbbbbbbbbb\nC: ddddddddddd\n\n", .headerSectionTooLarge,
            status: 431, limits: Self.small)
    }

    @Test func parser_RejectsWith431_BeforeSectionEnds_WhenHeaderBytesExceedLimit() throws {
        var parser = RequestParser(limits: Self.small)
        parser.append(Array("GET / HTTP/1.1\r\nHost: x\r\n".utf8))
        parser.append(Array(repeating: UInt8(ascii: "b"), count: 39))
        #expect(try parser.next() == nil)
        parser.append([UInt8(ascii: "b")])
        #expect(throws: ParseError.headerSectionTooLarge) { try parser.next() }
    }

    @Test func parser_RejectsWith431_WhenHeaderCountExceedsLimit() {
        expectAccepted("GET / HTTP/1.1\nHost: x\nA: 1\nB: 2\n\n", limits: Self.small)
        expectRejection(
            "GET / HTTP/1.1\nHost: x\nA: 1\nB: 2\nC: 3\n\n", .tooManyHeaders, status: 431, limits: Self.small)
    }

    @Test func parser_RejectsWith413_FromHeadersAlone_WhenContentLengthExceedsLimit() throws {
        expectAccepted("POST / HTTP/1.1\nHost: x\nContent-Length: 10\n\n0123456789", limits: Self.small)
        var parser = RequestParser(limits: Self.small)
        parser.append(Array("POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 11\r\n\r\n".utf8))
        #expect(throws: ParseError.contentTooLarge) { try parser.next() }
        #expect(ParseError.contentTooLarge.status == .payloadTooLarge)
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nContent-Length: 11\n\n01234567890", .contentTooLarge, status: 413,
            limits: Self.small)
    }

    @Test func parser_RejectsWith413_BeforeChunkData_WhenChunkedTotalExceedsLimit() throws {
        expectAccepted(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n5\n01234\n5\n56789\n0\n\n", limits: Self.small)
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n5\n01234\n6\n567890\n0\n\n", .chunkedBodyTooLarge,
            status: 413, limits: Self.small)
        var parser = RequestParser(limits: Self.small)
        parser.append(Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nb\r\n".utf8))
        _ = try parser.next()
        #expect(throws: ParseError.chunkedBodyTooLarge) { try parser.next() }
    }

    @Test func parser_RejectsWith400_WhenChunkLineExceedsLimit() {
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n1;abcdefghi\nx\n0\n\n", .chunkLineTooLong,
            status: 400, limits: Self.small)
        expectAccepted(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n1;abcdefgh\nx\n0\n\n", limits: Self.small)
    }

    @Test func parser_RejectsWith431_WhenTrailerSectionExceedsLimits() {
        let trailers = "T: " + String(repeating: "t", count: 44)
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n0\n\(trailers)\n\n", .headerSectionTooLarge,
            status: 431, limits: Self.small)
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n0\nA: 1\nB: 2\nC: 3\nD: 4\n\n", .tooManyHeaders,
            status: 431, limits: Self.small)
    }

    @Test func parser_ResetsSectionLimits_WhenNextRequestStarts() {
        let one = "GET / HTTP/1.1\nHost: xxxxxxxx\nA: bbbbbbbbbb\nC: dddddddddd\n\n"
        let outcome = expectAccepted(one + one + one, limits: Self.small)
        #expect(outcome.heads.count == 3)
    }
}
