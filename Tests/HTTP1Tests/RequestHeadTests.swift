import Testing

@testable import HTTP1

@Suite struct RequestHeadTests {
    func head(_ version: HTTPVersion, _ headers: HTTPHeaders) -> RequestHead {
        RequestHead(method: .GET, target: "/", version: version, headers: headers)
    }

    @Test func head_KeepsAlive_WhenHTTP11WithoutConnectionClose() {
        #expect(head(.http1_1, ["Host": "x"]).keepAlive)
        #expect(head(.http1_1, ["Connection": "keep-alive"]).keepAlive)
        #expect(head(.http1_1, ["Connection": "Upgrade"]).keepAlive)
    }

    @Test func head_Closes_WhenConnectionListsClose() {
        #expect(!head(.http1_1, ["Connection": "close"]).keepAlive)
        #expect(!head(.http1_1, ["connection": "Upgrade, CLOSE"]).keepAlive)
        #expect(!head(.http1_1, ["Connection": "keep-alive", "Connection": "close"]).keepAlive)
        #expect(!head(.http1_0, ["Connection": "keep-alive, close"]).keepAlive)
    }

    @Test func head_Closes_WhenHTTP10WithoutKeepAlive() {
        #expect(!head(.http1_0, [:]).keepAlive)
        #expect(head(.http1_0, ["Connection": "Keep-Alive"]).keepAlive)
        #expect(head(.http1_0, ["Connection": "foo ,keep-alive"]).keepAlive)
    }

    @Test func head_ExpectsContinue_WhenHTTP11AndExpect100Continue() {
        #expect(head(.http1_1, ["Expect": "100-continue"]).expectsContinue)
        #expect(head(.http1_1, ["expect": "100-Continue"]).expectsContinue)
        #expect(!head(.http1_1, [:]).expectsContinue)
        #expect(!head(.http1_1, ["Expect": "something"]).expectsContinue)
        #expect(!head(.http1_0, ["Expect": "100-continue"]).expectsContinue)
    }

    @Test func head_SplitsTarget_WhenCreatedFromTarget() {
        let origin = RequestHead(method: .GET, target: "/a/b?c=d")
        #expect(origin.path == "/a/b")
        #expect(origin.query == "c=d")
        let absolute = RequestHead(method: .GET, target: "http://h:1")
        #expect(absolute.path == "/")
        #expect(absolute.query == nil)
    }
}

@Suite struct HTTPHeadersTests {
    @Test func headers_LookUpCaseInsensitively_WhenNamesDifferInCase() {
        let headers: HTTPHeaders = ["Content-Type": "text/plain", "X-A": "1", "x-a": "2"]
        #expect(headers["content-type"] == "text/plain")
        #expect(headers["CONTENT-TYPE"] == "text/plain")
        #expect(headers["X-A"] == "1")
        #expect(headers.values(for: "x-A") == ["1", "2"])
        #expect(headers["missing"] == nil)
        #expect(headers.contains(name: "x-a"))
        #expect(headers.count == 3)
    }

    @Test func headers_KeepLiteralOrder_WhenBuiltFromDictionaryLiteral() {
        let headers: HTTPHeaders = ["B": "1", "A": "2", "C": "3"]
        #expect(headers.map(\.name) == ["B", "A", "C"])
    }

    @Test func headers_ReplaceAllAtFirstPosition_WhenReplaceOrAdd() {
        var headers: HTTPHeaders = ["A": "1", "X": "1", "B": "2", "x": "2"]
        headers.replaceOrAdd(name: "x", value: "9")
        #expect(
            headers.fields == [
                .init(name: "A", value: "1"), .init(name: "X", value: "9"), .init(name: "B", value: "2"),
            ])
        headers.replaceOrAdd(name: "New", value: "n")
        #expect(headers.fields.last == .init(name: "New", value: "n"))
        headers.add(name: "new", value: "m")
        #expect(headers.values(for: "NEW") == ["n", "m"])
        headers["new"] = nil
        #expect(!headers.contains(name: "new"))
        headers["A"] = "3"
        #expect(headers["a"] == "3")
    }

    @Test func headers_FindListTokens_WhenCommaSeparated() {
        let headers: HTTPHeaders = ["Connection": " Upgrade ,\tclose", "Accept-Encoding": "gzip;q=1"]
        #expect(headers.containsToken("CLOSE", in: "connection"))
        #expect(headers.containsToken("upgrade", in: "Connection"))
        #expect(!headers.containsToken("keep-alive", in: "Connection"))
        #expect(!headers.containsToken("gzip", in: "accept-encoding"))
    }
}

@Suite struct HTTPStatusTests {
    @Test func status_HasStandardReasonPhrases_WhenCommonCodes() {
        #expect(HTTPStatus.unprocessableContent.code == 422)
        #expect(HTTPStatus.unprocessableContent.reasonPhrase == "Unprocessable Content")
        #expect(HTTPStatus.ok.reasonPhrase == "OK")
        #expect(HTTPStatus.payloadTooLarge.reasonPhrase == "Content Too Large")
        #expect(HTTPStatus.requestHeaderFieldsTooLarge.code == 431)
        #expect(HTTPStatus.httpVersionNotSupported.reasonPhrase == "HTTP Version Not Supported")
        #expect(HTTPStatus(code: 299).reasonPhrase == "")
        #expect(HTTPStatus(code: 418, reasonPhrase: "Teapot") == HTTPStatus(code: 418))
    }

    @Test func status_ForbidsBody_When1xx204Or304() {
        #expect(HTTPStatus.continue.forbidsBody)
        #expect(HTTPStatus.noContent.forbidsBody)
        #expect(HTTPStatus.notModified.forbidsBody)
        #expect(!HTTPStatus.ok.forbidsBody)
    }

    @Test func parseError_MapsToStatus_ForEveryCase() {
        for error in ParseError.allCases {
            #expect([400, 413, 414, 431, 501, 505].contains(error.status.code))
            #expect(!error.code.isEmpty && !error.message.isEmpty)
            #expect(error.closesConnection)
        }
        #expect(Set(ParseError.allCases.map(\.code)).count == ParseError.allCases.count)
    }
}
