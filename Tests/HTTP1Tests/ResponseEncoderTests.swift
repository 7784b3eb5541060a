import Testing

@testable import HTTP1

@Suite struct ResponseEncoderTests {
    /// Sun, 06 Nov 1994 08:49:37 GMT
    static let instant = 784_111_777
    static let date = "Sun, 06 Nov 1994 08:49:37 GMT"

    func encoder(server: String? = "Attend") -> ResponseEncoder {
        ResponseEncoder(serverName: server, clock: { Self.instant })
    }

    func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    @Test func encoder_WritesStatusDateServerFieldsLengthAndBody_ByteForByte() {
        var encoder = encoder()
        let response = Response(status: .ok, headers: ["Content-Type": "text/plain"], body: Array("hi".utf8))
        let bytes = encoder.encode(response)
        let expected =
            "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nServer: Attend\r\nContent-Type: text/plain\r\n"
            + "Content-Length: 2\r\n\r\nhi"
        #expect(text(bytes) == expected)
    }

    @Test func encoder_WritesConnectionClose_WhenNotKeepingAlive() {
        var encoder = encoder(server: nil)
        let bytes = encoder.encode(Response(status: .notFound), keepAlive: false)
        #expect(
            text(bytes)
                == "HTTP/1.1 404 Not Found\r\nDate: \(Self.date)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    @Test func encoder_WritesKeepAlive_WhenHTTP10RequestKeepsAlive() {
        var encoder = encoder(server: nil)
        let bytes = encoder.encode(Response(status: .ok, body: [65]), requestVersion: .http1_0, keepAlive: true)
        #expect(
            text(bytes)
                == "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nContent-Length: 1\r\nConnection: keep-alive\r\n\r\nA")
    }

    @Test func encoder_OmitsBodyButKeepsLength_WhenRequestIsHEAD() {
        var encoder = encoder(server: nil)
        let bytes = encoder.encode(Response(status: .ok, body: Array("hello".utf8)), requestMethod: .HEAD)
        #expect(text(bytes) == "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nContent-Length: 5\r\n\r\n")
        let declared = encoder.encode(
            Response(status: .ok, headers: ["Content-Length": "42"]), requestMethod: .HEAD)
        #expect(text(declared) == "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nContent-Length: 42\r\n\r\n")
    }

    @Test func encoder_OmitsBodyAndLength_When204Or304Or1xx() {
        var encoder = encoder(server: nil)
        for status in [HTTPStatus.noContent, .notModified] {
            let bytes = encoder.encode(Response(status: status, body: Array("ignored".utf8)))
            #expect(text(bytes) == "HTTP/1.1 \(status.code) \(status.reasonPhrase)\r\nDate: \(Self.date)\r\n\r\n")
        }
        let informational = encoder.encode(Response(status: .switchingProtocols), keepAlive: false)
        #expect(text(informational) == "HTTP/1.1 101 Switching Protocols\r\nDate: \(Self.date)\r\n\r\n")
        #expect(text(ResponseEncoder.continueResponse) == "HTTP/1.1 100 Continue\r\n\r\n")
    }

    @Test func encoder_ReplacesFramingFields_WhenResponseSetsThem() {
        var encoder = encoder(server: nil)
        let response = Response(
            status: .ok,
            headers: [
                "Content-Length": "99", "Transfer-Encoding": "chunked", "Connection": "keep-alive", "X": "y",
            ], body: [1, 2, 3])
        let bytes = encoder.encode(response)
        #expect(
            bytes == Array("HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nX: y\r\nContent-Length: 3\r\n\r\n".utf8) + [
                1, 2, 3,
            ])
    }

    @Test func encoder_Closes_WhenResponseSaysConnectionClose() {
        var encoder = encoder(server: nil)
        var buffer: [UInt8] = []
        let keepOpen = encoder.encode(
            Response(status: .ok, headers: ["Connection": "close"]), keepAlive: true, into: &buffer)
        #expect(!keepOpen)
        #expect(
            text(buffer) == "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
    }

    @Test func encoder_KeepsCallerDateAndServer_WhenResponseSetsThem() {
        var encoder = encoder()
        let bytes = encoder.encode(Response(status: .ok, headers: ["Server": "Other", "Date": "D"]))
        #expect(text(bytes) == "HTTP/1.1 200 OK\r\nServer: Other\r\nDate: D\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func encoder_NeutralisesLineBreaks_WhenFieldValueHasCRLF() {
        var encoder = encoder(server: nil)
        let bytes = encoder.encode(Response(status: .ok, headers: ["X": "a\r\nInjected: 1"]))
        #expect(
            text(bytes) == "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nX: a  Injected: 1\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func encoder_NeutralisesLineBreaks_WhenFieldNameOrReasonHasCRLF() {
        var encoder = encoder(server: nil)
        let response = Response(status: HTTPStatus(code: 299, reasonPhrase: "A\r\nB"), headers: ["X\r\nY: z": "v"])
        let bytes = encoder.encode(response)
        #expect(
            text(bytes) == "HTTP/1.1 299 A  B\r\nDate: \(Self.date)\r\nX--Y--z: v\r\nContent-Length: 0\r\n\r\n")
    }

    @Test func encoder_WritesChunkedHeadChunksAndTrailers_ByteForByte() {
        var encoder = encoder(server: nil)
        var buffer: [UInt8] = []
        encoder.encodeHead(status: .ok, headers: ["A": "b"], framing: .chunked, keepAlive: true, into: &buffer)
        ResponseEncoder.encodeChunk(Array(repeating: UInt8(ascii: "x"), count: 26), into: &buffer)
        ResponseEncoder.encodeChunk([UInt8](), into: &buffer)
        ResponseEncoder.encodeChunk(Array("end".utf8), into: &buffer)
        ResponseEncoder.encodeLastChunk(trailers: ["T": "1"], into: &buffer)
        let expected =
            "HTTP/1.1 200 OK\r\nDate: \(Self.date)\r\nA: b\r\nTransfer-Encoding: chunked\r\n\r\n"
            + "1a\r\n\(String(repeating: "x", count: 26))\r\n3\r\nend\r\n0\r\nT: 1\r\n\r\n"
        #expect(text(buffer) == expected)
    }

    @Test func encoder_RoundTripsThroughParser_WhenChunkedBodyIsParsedBack() throws {
        var buffer = Array("POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n".utf8)
        let body = (0..<1000).map { UInt8($0 % 251) }
        ResponseEncoder.encodeChunk(body[0..<300], into: &buffer)
        ResponseEncoder.encodeChunk(body[300...], into: &buffer)
        ResponseEncoder.encodeLastChunk(into: &buffer)
        var parser = RequestParser()
        parser.append(buffer)
        let request = try #require(try parser.nextRequest())
        #expect(request.body == body)
    }

    @Test func encoder_FormatsIMFFixdate_ForKnownInstants() {
        #expect(text(ResponseEncoder.imfFixdate(Self.instant)) == Self.date)
        #expect(text(ResponseEncoder.imfFixdate(0)) == "Thu, 01 Jan 1970 00:00:00 GMT")
        #expect(text(ResponseEncoder.imfFixdate(951_782_400)) == "Tue, 29 Feb 2000 00:00:00 GMT")
        #expect(text(ResponseEncoder.imfFixdate(1_764_374_399)) == "Fri, 28 Nov 2025 23:59:59 GMT")
        #expect(text(ResponseEncoder.imfFixdate(4_107_542_400)) == "Mon, 01 Mar 2100 00:00:00 GMT")
        #expect(text(ResponseEncoder.imfFixdate(-1)) == "Wed, 31 Dec 1969 23:59:59 GMT")
    }

    @Test func encoder_FormatsDateOncePerSecond_WhenClockIsUnchanged() {
        final class Ticks: @unchecked Sendable {
            var calls = 0
            var now = 0
        }
        let ticks = Ticks()
        var encoder = ResponseEncoder(clock: {
            ticks.calls += 1
            return ticks.now
        })
        let first = encoder.currentDate()
        let second = encoder.currentDate()
        #expect(first == second)
        #expect(text(first) == "Thu, 01 Jan 1970 00:00:00 GMT")
        ticks.now = 1
        #expect(text(encoder.currentDate()) == "Thu, 01 Jan 1970 00:00:01 GMT")
        #expect(ticks.calls == 3)
    }

    @Test func encoder_WritesParseErrorResponse_ByteForByte() {
        var encoder = encoder()
        var buffer: [UInt8] = []
        encoder.encodeError(.contentLengthWithTransferEncoding, into: &buffer)
        let body =
            #"{"error":{"code":"content_length_with_transfer_encoding","#
            + #""message":"Content-Length and Transfer-Encoding cannot be combined."}}"#
        let expected =
            "HTTP/1.1 400 Bad Request\r\nDate: \(Self.date)\r\nServer: Attend\r\n"
            + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
            + body
        #expect(text(buffer) == expected)

        var tooLong: [UInt8] = []
        encoder.encodeError(.requestLineTooLong, into: &tooLong)
        let tooLongBody = #"{"error":{"code":"request_line_too_long","message":"The request line is too long."}}"#
        #expect(
            text(tooLong)
                == "HTTP/1.1 414 URI Too Long\r\nDate: \(Self.date)\r\nServer: Attend\r\n"
                + "Content-Type: application/json\r\nContent-Length: 84\r\nConnection: close\r\n\r\n" + tooLongBody)
        #expect(tooLongBody.utf8.count == 84)
    }

    @Test func encoder_WritesJSONErrorResponse_ForEveryParseError() {
        var encoder = encoder(server: nil)
        for error in ParseError.allCases {
            let bytes = encoder.encode(ResponseEncoder.errorResponse(for: error), keepAlive: false)
            let body = #"{"error":{"code":"\#(error.code)","message":"\#(error.message)"}}"#
            let expected =
                "HTTP/1.1 \(error.status.code) \(error.status.reasonPhrase)\r\nDate: \(Self.date)\r\n"
                + "Content-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
                + body
            #expect(text(bytes) == expected)
        }
    }
}
