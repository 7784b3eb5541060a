import Testing

@testable import HTTP1

@Suite struct RequestParserTests {
    @Test func parser_ParsesOriginForm_WhenTargetHasPathAndQuery() throws {
        let outcome = expectAccepted("GET /models/a%20b?x=1&y=2 HTTP/1.1\nHost: example.com\n\n")
        let head = try #require(outcome.heads.first)
        #expect(head.method == .GET)
        #expect(head.target == "/models/a%20b?x=1&y=2")
        #expect(head.path == "/models/a%20b")
        #expect(head.query == "x=1&y=2")
        #expect(head.version == .http1_1)
        #expect(head.headers["host"] == "example.com")
        #expect(outcome.events.count == 2)
        #expect(outcome.trailers == [[:]])
    }

    @Test func parser_GivesNilQuery_WhenTargetHasNoQuestionMark() throws {
        let head = try #require(expectAccepted("GET / HTTP/1.1\nHost: a\n\n").heads.first)
        #expect(head.path == "/")
        #expect(head.query == nil)
        let empty = try #require(expectAccepted("GET /p? HTTP/1.1\nHost: a\n\n").heads.first)
        #expect(empty.path == "/p")
        #expect(empty.query == "")
    }

    @Test func parser_ParsesAbsoluteForm_WhenTargetIsHTTPURL() throws {
        let head = try #require(expectAccepted("GET http://example.com:8080/a/b?q HTTP/1.1\nHost: x\n\n").heads.first)
        #expect(head.target == "http://example.com:8080/a/b?q")
        #expect(head.path == "/a/b")
        #expect(head.query == "q")
        let bare = try #require(expectAccepted("GET HTTPS://example.com HTTP/1.1\nHost: x\n\n").heads.first)
        #expect(bare.path == "/")
        #expect(bare.query == nil)
        let queryOnly = try #require(expectAccepted("GET http://h?z=1 HTTP/1.1\nHost: x\n\n").heads.first)
        #expect(queryOnly.path == "/")
        #expect(queryOnly.query == "z=1")
    }

    @Test func parser_ParsesAsteriskForm_WhenMethodIsOptions() throws {
        let head = try #require(expectAccepted("OPTIONS * HTTP/1.1\nHost: x\n\n").heads.first)
        #expect(head.method == .OPTIONS)
        #expect(head.target == "*")
        #expect(head.path == "*")
    }

    @Test func parser_KeepsOtherMethods_WhenTokenIsValid() throws {
        let head = try #require(expectAccepted("PROPFIND /x HTTP/1.1\nHost: x\n\n").heads.first)
        #expect(head.method == HTTPMethod("PROPFIND"))
        for method in ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "TRACE"] {
            let parsed = try #require(expectAccepted("\(method) / HTTP/1.1\nHost: x\n\n").heads.first)
            #expect(parsed.method.rawValue == method)
        }
    }

    @Test func parser_KeepsHeaderOrderAndDuplicates_WhenFieldsRepeat() throws {
        let outcome = expectAccepted("GET / HTTP/1.1\nHost: x\nAccept: a\nX-Y: 1\naccept: b\nX-Empty:\n\n")
        let head = try #require(outcome.heads.first)
        #expect(head.headers.fields.map(\.name) == ["Host", "Accept", "X-Y", "accept", "X-Empty"])
        #expect(head.headers.values(for: "ACCEPT") == ["a", "b"])
        #expect(head.headers["Accept"] == "a")
        #expect(head.headers["x-empty"] == "")
    }

    @Test func parser_TrimsOptionalWhitespace_WhenValueHasSpacesAndTabs() throws {
        let head = try #require(expectAccepted("GET / HTTP/1.1\nHost:x\nA: \t a b \t\nB:\t\t\n\n").heads.first)
        #expect(head.headers["a"] == "a b")
        #expect(head.headers["b"] == "")
        #expect(head.headers["host"] == "x")
    }

    @Test func parser_KeepsObsText_WhenValueHasHighBytes() throws {
        let head = try #require(expectAccepted("GET / HTTP/1.1\nHost: x\nName: caf\u{E9}\n\n").heads.first)
        #expect(head.headers["name"] == "caf\u{E9}")
    }

    @Test func parser_ParsesContentLengthBody_WhenComplete() throws {
        let outcome = expectAccepted("POST /e HTTP/1.1\nHost: x\nContent-Length: 11\n\nhello world")
        #expect(outcome.bodies == [Array("hello world".utf8)])
        #expect(outcome.trailers == [[:]])
    }

    @Test func parser_WaitsForBody_WhenContentLengthBytesAreMissing() {
        let outcome = parseEverySplit("POST /e HTTP/1.1\nHost: x\nContent-Length: 20\n\nhello")
        #expect(outcome.error == nil)
        #expect(outcome.heads.count == 1)
        #expect(outcome.bodies == [Array("hello".utf8)])
        #expect(outcome.trailers.isEmpty)
    }

    @Test func parser_AcceptsRepeatedContentLength_WhenValuesAreEqual() throws {
        let lines = expectAccepted("POST / HTTP/1.1\nHost: x\nContent-Length: 3\nContent-Length: 3\n\nabc")
        #expect(lines.bodies == [Array("abc".utf8)])
        let list = expectAccepted("POST / HTTP/1.1\nHost: x\nContent-Length: 3 , 3,3\n\nabc")
        #expect(list.bodies == [Array("abc".utf8)])
        let zeros = expectAccepted("POST / HTTP/1.1\nHost: x\nContent-Length: 003\n\nabc")
        #expect(zeros.bodies == [Array("abc".utf8)])
    }

    @Test func parser_EndsAtOnce_WhenContentLengthIsZeroOrAbsent() {
        let zero = expectAccepted("POST / HTTP/1.1\nHost: x\nContent-Length: 0\n\n")
        #expect(zero.events.count == 2)
        let absent = expectAccepted("POST / HTTP/1.1\nHost: x\n\n")
        #expect(absent.bodies == [[]])
        #expect(absent.trailers == [[:]])
    }

    @Test func parser_DecodesChunkedBody_WhenExtensionsAndTrailersArePresent() throws {
        let text = """
            POST /c HTTP/1.1
            Host: x
            Transfer-Encoding: chunked

            5;name=value;flag
            hello
            6 ; q="a b"
             world
            A
            0123456789
            0;last
            Trailer-One: 1
            Trailer-Two: two

            """
        let outcome = expectAccepted(text + "\n")
        #expect(outcome.bodies == [Array("hello world0123456789".utf8)])
        #expect(outcome.trailers == [["Trailer-One": "1", "Trailer-Two": "two"]])
    }

    @Test func parser_AcceptsCaseInsensitiveChunked_WhenTransferEncodingIsUppercase() {
        let outcome = expectAccepted("POST / HTTP/1.1\nHost: x\nTransfer-Encoding: CHUNKED\n\n3\nabc\n0\n\n")
        #expect(outcome.bodies == [Array("abc".utf8)])
    }

    @Test func parser_AcceptsLeadingZerosInChunkSize_WhenWithinSixteenDigits() {
        let outcome = expectAccepted(
            "POST / HTTP/1.1\nHost: x\nTransfer-Encoding: chunked\n\n0000000000000003\nabc\n00\n\n")
        #expect(outcome.bodies == [Array("abc".utf8)])
    }

    @Test func parser_ParsesHTTP10_WhenHostIsAbsent() throws {
        let head = try #require(expectAccepted("GET /old HTTP/1.0\n\n").heads.first)
        #expect(head.version == .http1_0)
        #expect(head.keepAlive == false)
    }

    @Test func parser_AcceptsHigherMinorVersion_WhenMajorIsOne() throws {
        let head = try #require(expectAccepted("GET / HTTP/1.7\nHost: x\n\n").heads.first)
        #expect(head.version == HTTPVersion(major: 1, minor: 7))
        #expect(head.keepAlive)
    }

    @Test func parser_SkipsEmptyLines_WhenBeforeRequestLine() throws {
        let outcome = expectAccepted("\n\n\nGET / HTTP/1.1\nHost: x\n\n")
        #expect(outcome.heads.count == 1)
        let bare = expectAccepted("\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n", crlf: false)
        #expect(bare.heads.count == 1)
    }

    @Test func parser_AcceptsBareLF_WhenEndingRequestLineAndFieldLines() throws {
        let outcome = expectAccepted("GET /lf HTTP/1.1\nHost: x\nA: b\r\n\n", crlf: false)
        let head = try #require(outcome.heads.first)
        #expect(head.path == "/lf")
        #expect(head.headers["a"] == "b")
    }

    @Test func parser_ParsesPipelinedRequests_WhenBufferedTogether() throws {
        let text = """
            GET /1 HTTP/1.1
            Host: x

            POST /2 HTTP/1.1
            Host: x
            Content-Length: 3

            abcPUT /3 HTTP/1.1
            Host: x
            Transfer-Encoding: chunked

            2
            de
            0

            \nGET /4 HTTP/1.1
            Host: x
            Connection: close


            """
        let outcome = expectAccepted(text)
        #expect(outcome.heads.map(\.path) == ["/1", "/2", "/3", "/4"])
        #expect(outcome.bodies == [[], Array("abc".utf8), Array("de".utf8), []])
        #expect(outcome.heads.map(\.keepAlive) == [true, true, true, false])
        #expect(outcome.trailers.count == 4)
    }

    @Test func parser_AssemblesRequests_WhenUsingNextRequest() throws {
        var parser = RequestParser()
        let text = "POST /a HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nExpect: 100-continue\r\n\r\n"
        parser.append(Array(text.utf8))
        #expect(try parser.nextRequest() == nil)
        #expect(parser.pendingHead?.expectsContinue == true)
        parser.append(Array("ab".utf8))
        #expect(try parser.nextRequest() == nil)
        parser.append(Array("cdGET /b HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        let first = try #require(try parser.nextRequest())
        #expect(first.path == "/a")
        #expect(first.body == Array("abcd".utf8))
        let second = try #require(try parser.nextRequest())
        #expect(second.path == "/b")
        #expect(second.body.isEmpty)
        #expect(try parser.nextRequest() == nil)
        #expect(parser.isIdle)
    }

    @Test func parser_AcceptsRawBufferPointer_WhenAppending() throws {
        var parser = RequestParser()
        let bytes = Array("GET /raw HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        bytes.withUnsafeBytes { parser.append($0) }
        let request = try #require(try parser.nextRequest())
        #expect(request.path == "/raw")
    }

    @Test func parser_ReportsReadingHead_UntilHeadIsComplete() throws {
        var parser = RequestParser()
        #expect(parser.isIdle)
        #expect(parser.isReadingHead)
        parser.append(Array("GET / HTTP/1.1\r\nHo".utf8))
        #expect(try parser.next() == nil)
        #expect(!parser.isIdle)
        #expect(parser.isReadingHead)
        parser.append(Array("st: x\r\nContent-Length: 2\r\n\r\n".utf8))
        guard case .head = try parser.next() else {
            Issue.record("expected head")
            return
        }
        #expect(!parser.isReadingHead)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func parser_StaysFailed_WhenMoreBytesArrive() throws {
        var parser = RequestParser()
        parser.append(Array("GET / HTTP/2.0\r\n".utf8))
        #expect(throws: ParseError.unsupportedVersion) { try parser.next() }
        parser.append(Array("Host: x\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n".utf8))
        #expect(throws: ParseError.unsupportedVersion) { try parser.next() }
        #expect(parser.failure == .unsupportedVersion)
        #expect(parser.bufferedByteCount == 0)
    }

    @Test func parser_CompactsBuffer_WhenManyRequestsPass() throws {
        var parser = RequestParser()
        let request = Array("GET /x HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        var count = 0
        for _ in 0..<2000 {
            parser.append(request + request[0..<5])
            while let event = try parser.next() {
                if case .end = event { count += 1 }
            }
            parser.append(request[5...])
            while let event = try parser.next() {
                if case .end = event { count += 1 }
            }
        }
        #expect(count == 4000)
        #expect(parser.bufferedByteCount == 0)
    }
}
