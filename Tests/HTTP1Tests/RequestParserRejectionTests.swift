import Testing

@testable import HTTP1

@Suite struct RequestParserRejectionTests {
    // MARK: Framing

    @Test func parser_RejectsWith400AndClose_WhenTransferEncodingAndContentLength() {
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\nContent-Length: 3\n\n0\n\n",
            .contentLengthWithTransferEncoding, status: 400)
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nContent-Length: 3\nTransfer-Encoding: chunked\n\nabc",
            .contentLengthWithTransferEncoding, status: 400)
        #expect(ParseError.contentLengthWithTransferEncoding.closesConnection)
    }

    @Test func parser_RejectsWith400_WhenContentLengthLinesDiffer() {
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nContent-Length: 3\nContent-Length: 4\n\nabcd", .conflictingContentLength,
            status: 400)
    }

    @Test func parser_RejectsWith400_WhenContentLengthListHasDifferentValues() {
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nContent-Length: 3, 4\n\nabcd", .conflictingContentLength, status: 400)
    }

    @Test func parser_RejectsWith400_WhenContentLengthHasSign() {
        for value in ["+3", "-3", "- 3"] {
            expectRejection(
                "POST / HTTP/1.1\nHost: x\nContent-Length: \(value)\n\nabc", .invalidContentLength, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenContentLengthHasLetters() {
        for value in ["3a", "0x10", "three", "3 4", "1e3", "3.0"] {
            expectRejection(
                "POST / HTTP/1.1\nHost: x\nContent-Length: \(value)\n\nabc", .invalidContentLength, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenContentLengthOverflows() {
        for value in ["9223372036854775808", "99999999999999999999999"] {
            expectRejection(
                "POST / HTTP/1.1\nHost: x\nContent-Length: \(value)\n\n", .invalidContentLength, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenContentLengthIsEmpty() {
        for value in ["", " ", "3,", ",3", "3,,3"] {
            expectRejection(
                "POST / HTTP/1.1\nHost: x\nContent-Length: \(value)\n\nabc", .invalidContentLength, status: 400)
        }
    }

    @Test func parser_RejectsWith501_WhenTransferCodingIsNotChunked() {
        for value in ["gzip, chunked", "identity,chunked", "x-custom, chunked"] {
            expectRejection(
                "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: \(value)\n\n0\n\n", .unsupportedTransferCoding,
                status: 501)
        }
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: gzip\nTransfer-Encoding: chunked\n\n0\n\n",
            .unsupportedTransferCoding, status: 501)
    }

    @Test func parser_RejectsWith400_WhenChunkedIsNotFinalCoding() {
        for value in ["chunked, gzip", "gzip", "", "chunked;q=1", "chunked, chunked"] {
            expectRejection(
                "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: \(value)\n\n0\n\n", .chunkedNotFinal, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenTransferEncodingInHTTP10() {
        expectRejection(
            "POST / HTTP/1.0\nTransfer-Encoding: chunked\n\n0\n\n", .transferEncodingInHTTP10, status: 400)
    }

    // MARK: Field lines

    @Test func parser_RejectsWith400_WhenObsoleteLineFolding() {
        expectRejection("GET / HTTP/1.1\nHost: x\nA: b\n c\n\n", .obsoleteLineFolding, status: 400)
        expectRejection("GET / HTTP/1.1\nHost: x\nA: b\n\tc\n\n", .obsoleteLineFolding, status: 400)
        expectRejection("GET / HTTP/1.1\n Host: x\n\n", .obsoleteLineFolding, status: 400)
    }

    @Test func parser_RejectsWith400_WhenWhitespaceBeforeColon() {
        expectRejection("GET / HTTP/1.1\nHost : x\n\n", .whitespaceBeforeColon, status: 400)
        expectRejection("GET / HTTP/1.1\nHost: x\nContent-Length\t: 0\n\n", .whitespaceBeforeColon, status: 400)
    }

    @Test func parser_RejectsWith400_WhenHeaderNameHasNUL() {
        expectRejection("GET / HTTP/1.1\nHost: x\nA\u{0}B: c\n\n", .invalidHeaderName, status: 400)
    }

    @Test func parser_RejectsWith400_WhenHeaderNameHasBareCR() {
        expectRejection("GET / HTTP/1.1\r\nHost: x\r\nA\rB: c\r\n\r\n", .bareCarriageReturn, status: 400, crlf: false)
    }

    @Test func parser_RejectsWith400_WhenHeaderNameHasInvalidTokenChar() {
        for name in ["A(b", "A@b", "A/b", "A\"b", "A{b", "\u{7F}", "A,b", "caf\u{E9}", "A b"] {
            expectRejection("GET / HTTP/1.1\nHost: x\n\(name): c\n\n", .invalidHeaderName, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenHeaderNameIsEmpty() {
        expectRejection("GET / HTTP/1.1\nHost: x\n: c\n\n", .invalidHeaderName, status: 400)
    }

    @Test func parser_RejectsWith400_WhenFieldLineHasNoColon() {
        expectRejection("GET / HTTP/1.1\nHost: x\nNoColon\n\n", .missingColon, status: 400)
    }

    @Test func parser_RejectsWith400_WhenHeaderValueHasNUL() {
        expectRejection("GET / HTTP/1.1\nHost: x\nA: b\u{0}c\n\n", .invalidHeaderValue, status: 400)
    }

    @Test func parser_RejectsWith400_WhenHeaderValueHasControlByte() {
        for control in ["\u{1}", "\u{1B}", "\u{7F}", "\u{B}", "\u{C}"] {
            expectRejection("GET / HTTP/1.1\nHost: x\nA: b\(control)c\n\n", .invalidHeaderValue, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenHeaderValueHasBareCR() {
        expectRejection("GET / HTTP/1.1\r\nHost: x\r\nA: b\rc\r\n\r\n", .bareCarriageReturn, status: 400, crlf: false)
        expectRejection("GET / HTTP/1.1\r\nHost: x\r\nA: b\r\r\n\r\n", .bareCarriageReturn, status: 400, crlf: false)
    }

    @Test func parser_RejectsWith400_WhenRequestLineHasBareCR() {
        expectRejection("GET /a\rb HTTP/1.1\r\nHost: x\r\n\r\n", .bareCarriageReturn, status: 400, crlf: false)
        expectRejection("GET / HTTP/1.1\r\r\nHost: x\r\n\r\n", .bareCarriageReturn, status: 400, crlf: false)
        expectRejection("\rGET / HTTP/1.1\r\nHost: x\r\n\r\n", .bareCarriageReturn, status: 400, crlf: false)
    }

    @Test func parser_RejectsWith400_WhenHostIsMissingInHTTP11() {
        expectRejection("GET / HTTP/1.1\nAccept: */*\n\n", .missingHost, status: 400)
    }

    @Test func parser_RejectsWith400_WhenHostIsRepeated() {
        expectRejection("GET / HTTP/1.1\nHost: a\nhost: b\n\n", .multipleHost, status: 400)
        expectRejection("GET / HTTP/1.0\nHost: a\nHost: a\n\n", .multipleHost, status: 400)
    }

    @Test func parser_RejectsWith400_WhenHostHasInvalidBytes() {
        for host in ["a/b", "user@h", "a b", "h?q", "h#f", "caf\u{E9}", "<h>", "h\\x"] {
            expectRejection("GET / HTTP/1.1\nHost: \(host)\n\n", .invalidHost, status: 400)
        }
    }

    @Test func parser_AcceptsHost_WhenNameAddressOrEmpty() throws {
        for host in ["example.com", "example.com:8080", "127.0.0.1:1", "[::1]:80", "xn--caf-dma.example", ""] {
            let head = try #require(expectAccepted("GET / HTTP/1.1\nHost: \(host)\n\n").heads.first)
            #expect(head.headers["host"] == host)
        }
    }

    // MARK: Request line

    @Test func parser_RejectsWith400_WhenMethodHasInvalidTokenChar() {
        for method in ["G(T", "GE\u{0}T", "G\tET", "GET\u{E9}", "[GET]"] {
            expectRejection("\(method) / HTTP/1.1\nHost: x\n\n", .invalidMethod, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenRequestLineIsMalformed() {
        for line in ["GET", "GET /", " GET / HTTP/1.1", "GET  / HTTP/1.1", "GET /"] {
            expectRejection("\(line)\nHost: x\n\n", .invalidRequestLine, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenTargetIsNotOriginOrAbsoluteForm() {
        for target in ["x", "a/b", "ftp://h/x", "http://", "http:///x", "http:/x", "example.com:443"] {
            expectRejection("GET \(target) HTTP/1.1\nHost: x\n\n", .invalidTarget, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenTargetHasControlOrNonASCIIBytes() {
        for target in ["/a\u{0}b", "/a\u{7F}", "/caf\u{E9}", "/a\tb"] {
            expectRejection("GET \(target) HTTP/1.1\nHost: x\n\n", .invalidTarget, status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenAsteriskFormWithoutOptions() {
        expectRejection("GET * HTTP/1.1\nHost: x\n\n", .invalidTarget, status: 400)
    }

    @Test func parser_RejectsWith501_WhenMethodIsConnect() {
        expectRejection(
            "CONNECT example.com:443 HTTP/1.1\nHost: example.com:443\n\n", .connectNotSupported, status: 501)
    }

    @Test func parser_RejectsWith505_WhenVersionIsNotHTTP1() {
        for version in ["HTTP/2.0", "HTTP/3.0", "HTTP/2", "HTTP/3", "HTTP/0.9", "HTTP/9.9"] {
            expectRejection("GET / \(version)\nHost: x\n\n", .unsupportedVersion, status: 505)
        }
    }

    @Test func parser_RejectsWith400_WhenVersionIsMalformed() {
        for version in ["HTTP/1", "http/1.1", "HTTP/1.1x", "HTTP/11.1", "HTTP/1.a", "HTTP/1,1", "HTTP1.1", "HTTP/", ""]
        {
            expectRejection("GET / \(version)\nHost: x\n\n", .invalidVersion, status: 400)
        }
        expectRejection("GET / HTTP/1.1 \nHost: x\n\n", .invalidVersion, status: 400)
    }

    // MARK: Chunked body

    @Test func parser_RejectsWith400_WhenChunkSizeIsNotHex() {
        for size in ["g", "x1", "-1", "+1", "0x1", " 1"] {
            expectRejection(
                "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n\(size)\nabc\n0\n\n", .invalidChunkSize,
                status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenChunkSizeIsEmpty() {
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n\nabc\n0\n\n", .invalidChunkSize, status: 400)
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n;ext\nabc\n0\n\n", .invalidChunkSize,
            status: 400)
    }

    @Test func parser_RejectsWith400_WhenChunkSizeHasTooManyDigits() {
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n00000000000000001\na\n0\n\n", .invalidChunkSize,
            status: 400)
    }

    @Test func parser_RejectsWith400_WhenChunkSizeOverflows() {
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\nffffffffffffffff\na\n0\n\n", .invalidChunkSize,
            status: 400)
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n8000000000000000\na\n0\n\n", .invalidChunkSize,
            status: 400)
    }

    @Test func parser_RejectsWith400_WhenChunkExtensionIsMalformed() {
        for line in ["3;a\u{0}", "3 x", "3 ", "3;\u{7F}", "3\t"] {
            expectRejection(
                "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n\(line)\nabc\n0\n\n", .invalidChunkExtension,
                status: 400)
        }
    }

    @Test func parser_RejectsWith400_WhenChunkDataIsNotFollowedByCRLF() {
        for after in ["x\r\n", "\n", "\rx", "abcd"] {
            expectRejection(
                "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\(after)0\r\n\r\n",
                .missingChunkCRLF, status: 400, crlf: false)
        }
    }

    @Test func parser_RejectsWith400_WhenChunkSizeLineEndsInBareLF() {
        expectRejection(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n0\r\n\r\n", .missingChunkCRLF,
            status: 400, crlf: false)
        expectRejection(
            "POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\n\r\n", .missingChunkCRLF,
            status: 400, crlf: false)
    }

    @Test func parser_RejectsWith400_WhenTrailerIsMalformed() {
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n0\nBad Name: x\n\n", .invalidHeaderName,
            status: 400)
        expectRejection(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n0\nT: a\n b\n\n", .obsoleteLineFolding,
            status: 400)
    }

    @Test func parser_ReportsEventsBeforeError_WhenSecondPipelinedRequestIsBad() {
        let outcome = parseEverySplit("GET /ok HTTP/1.1\nHost: x\n\nGET /bad HTTP/5.0\nHost: x\n\n")
        #expect(outcome.heads.map(\.path) == ["/ok"])
        #expect(outcome.trailers.count == 1)
        #expect(outcome.error == .unsupportedVersion)
    }
}

@Suite struct RequestParserLineFeedTests {
    @Test func parser_RejectsWith400_WhenLFSplitsFieldName() {
        expectRejection("GET / HTTP/1.1\nHost: x\nNa\nme: v\n\n", .missingColon, status: 400)
    }

    @Test func parser_RejectsWith400_WhenLFSplitsFieldValue() {
        expectRejection("GET / HTTP/1.1\nHost: x\nA: b\nc\n\n", .missingColon, status: 400)
        expectRejection("GET / HTTP/1.1\nHost: x\nA: b\n: c\n\n", .invalidHeaderName, status: 400)
    }

    @Test func parser_RejectsWith400_WhenLFSplitsRequestLine() {
        expectRejection("GET /\n HTTP/1.1\nHost: x\n\n", .invalidRequestLine, status: 400)
    }
}
