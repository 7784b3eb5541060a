import AttendCore
import Foundation
import HTTP1
import HTTPServer
import Logging
import Synchronization
import TestSupport
import Testing

@testable import AttendHTTP

/// The per-request log line: the ``LineLogHandler`` fast path writes the line the `Logger` path writes, and a live
/// service logs each request (including 404s) with its fields.
@Suite struct RequestLogTests {
    /// The line without its timestamp (`YYYY-MM-DDTHH:MM:SS.mmmZ `, 25 bytes; JSON: after `"ts":"…",`).
    static func untimed(_ line: [UInt8], format: LineLogHandler.Format) -> String {
        let text = String(decoding: line, as: UTF8.self)
        switch format {
        case .text: return String(text.dropFirst(25))
        case .json: return String(text.drop { $0 != "," })
        }
    }

    @Test(arguments: [LineLogHandler.Format.text, .json])
    func sortedFields_WriteTheLoggerLine_WhenTheHandlerHasNoMetadata(format: LineLogHandler.Format) throws {
        let sink = LogWriterTests.Sink()
        let writer = LogWriter(capacity: 1 << 16, interval: .seconds(3600), output: sink.output)
        let handler = LineLogHandler(label: "attend", format: format, writer: writer)
        let fields: KeyValuePairs<String, Logger.MetadataValue> = [
            "bytes": "15", "method": "GET", "ms": "0.04", "path": "/a b\n\"q\"", "status": "404", "tokens": "0",
        ]
        #expect(handler.log(level: .info, message: "request", sortedFields: fields, source: "AttendHTTP"))
        #expect(handler.log(level: .debug, message: "hidden", sortedFields: fields, source: "AttendHTTP"))
        writer.close()
        let expected = LineLogHandler.line(
            format: format, label: "attend", level: .info, message: "request",
            metadata: Dictionary(uniqueKeysWithValues: fields.map { ($0.key, $0.value) }), source: "AttendHTTP")
        let written = try #require(sink.lines.first)
        #expect(sink.lines.count == 1)
        #expect(
            Self.untimed(Array((written + "\n").utf8), format: format) == Self.untimed(expected, format: format))
    }

    @Test(arguments: [LineLogHandler.Format.text, .json])
    func builtFields_WriteTheLoggerLine_WhenTheHandlerHasNoMetadata(format: LineLogHandler.Format) throws {
        let sink = LogWriterTests.Sink()
        let writer = LogWriter(capacity: 1 << 16, interval: .seconds(3600), output: sink.output)
        let handler = LineLogHandler(label: "attend", format: format, writer: writer)
        let path = "/a b\n\"q\"\u{1}"
        #expect(
            handler.log(level: .info, message: "request", source: "AttendHTTP") { line in
                line.integer("bytes", 15)
                line.text("method", "GET")
                line.fixedPoint("ms", units: 4, places: 2)
                line.integer("negative", -1234)
                line.text("number", "12.5")
                line.text("path", path)
                line.integer("status", 404)
                line.integer("tokens", 0)
            })
        var called = false
        #expect(
            handler.log(level: .debug, message: "hidden", source: "AttendHTTP") { _ in called = true })
        #expect(!called)
        writer.close()
        let metadata: Logger.Metadata = [
            "bytes": "15", "method": "GET", "ms": "0.04", "negative": "-1234", "number": "12.5", "path": "\(path)",
            "status": "404", "tokens": "0",
        ]
        let expected = LineLogHandler.line(
            format: format, label: "attend", level: .info, message: "request", metadata: metadata,
            source: "AttendHTTP")
        let written = try #require(sink.lines.first)
        #expect(sink.lines.count == 1)
        #expect(
            Self.untimed(Array((written + "\n").utf8), format: format) == Self.untimed(expected, format: format))
    }

    /// What `write` puts in a ``LineBytes`` that starts on 8 bytes of scratch (so longer text moves to the heap).
    static func written(_ write: (inout LineBytes) -> Void) -> String {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 8) { scratch in
            var bytes = LineBytes(scratch: scratch)
            write(&bytes)
            let text = bytes.withBytes { String(decoding: $0, as: UTF8.self) }
            return text
        }
    }

    @Test func lineBuilderNumbers_MatchStringFormatting_WhenAnyValue() {
        let integers = [0, 1, 9, 10, 99, 100, -1, -10, 123_456_789, Int.max, Int.min, Int.max - 1, Int.min + 1]
        for value in integers {
            #expect(Self.written { LineBuilder.putDecimal(value, to: &$0) } == String(value))
        }
        var generator = SystemRandomNumberGenerator()
        var digits = [UInt8](repeating: 0, count: 32)
        for _ in 0..<2000 {
            let places = Int.random(in: 0...6, using: &generator)
            let units = Int64.random(in: 0..<(1 << 40), using: &generator)
            let text = digits.withUnsafeMutableBytes { buffer in
                let count = LineBuilder.writeFixedPoint(units: units, places: places, into: buffer)
                return String(decoding: buffer[..<count], as: UTF8.self)
            }
            var scale = 1.0
            for _ in 0..<places { scale *= 10 }
            #expect(text == String(format: "%.\(places)f", Double(units) / scale))
        }
        let zero = digits.withUnsafeMutableBytes { buffer in
            String(decoding: buffer[..<LineBuilder.writeFixedPoint(units: 5, places: 3, into: buffer)], as: UTF8.self)
        }
        #expect(zero == "0.005")
        #expect(Self.written { $0.putPadded(7, width: 3) } == "007")
        #expect(Self.written { $0.putPadded(12345, width: 2) } == "12345")
    }

    @Test func lineTimestamp_IsISO8601InUTC_WhenAnySecond() {
        let cases: [(Int, Int, String)] = [
            (1_796_214_620, 7, "2026-12-02T12:30:20.007Z"), (0, 0, "1970-01-01T00:00:00.000Z"),
            (253_402_300_799, 999, "9999-12-31T23:59:59.999Z"),
        ]
        for (seconds, milliseconds, expected) in cases {
            let line = LineLogHandler.line(
                format: .text, label: "a", level: .info, message: "m", metadata: [:], source: "S",
                time: (seconds, milliseconds))
            #expect(String(decoding: line, as: UTF8.self) == expected + " info a: [S] m\n")
        }
    }

    @Test func secondText_GivesEachSecondsText_WhenThreadsReadChangingSeconds() {
        let text = SecondText()
        let seconds = [1_796_214_620, 1_796_214_621, 0, 253_402_300_799]
        let expected = seconds.map { SecondText.format($0) }
        let mismatches = Atomic<Int>(0)
        DispatchQueue.concurrentPerform(iterations: 4) { t in
            for i in 0..<20_000 {
                let k = (i / (t + 1)) % seconds.count
                let words = text.words(for: seconds[k])
                if words != expected[k] { mismatches.add(1, ordering: .relaxed) }
            }
        }
        #expect(mismatches.load(ordering: .relaxed) == 0)
        var words = SecondText.format(1_796_214_620)
        let bytes = withUnsafeBytes(of: &words) { Array($0[..<SecondText.count]) }
        #expect(String(decoding: bytes, as: UTF8.self) == "2026-12-02T12:30:20")
        var leapDay = SecondText.format(951_868_799)
        let leapBytes = withUnsafeBytes(of: &leapDay) { Array($0[..<SecondText.count]) }
        #expect(String(decoding: leapBytes, as: UTF8.self) == "2000-02-29T23:59:59")
    }

    @Test(arguments: [LineLogHandler.Format.text, .json])
    func requestLine_WritesTheLoggerLine_WhenFormattedOnTheWritersThread(format: LineLogHandler.Format) throws {
        let sink = LogWriterTests.Sink()
        let writer = LogWriter(capacity: 1 << 16, interval: .seconds(3600), output: sink.output)
        let handler = LineLogHandler(label: "attend", format: format, writer: writer)
        let paths = ["/a b\n\"q\"\u{1}", "/" + String(repeating: "p\u{7}\"", count: LineLogHandler.scratchBytes)]
        for path in paths {
            #expect(
                handler.logRequest(
                    bytes: 15, method: "GET", millisecondUnits: 4, millisecondsText: "unused", path: path,
                    status: 404, tokens: 0))
        }
        #expect(
            handler.logRequest(
                bytes: 0, method: "POST", millisecondUnits: nil, millisecondsText: "1e12", path: "/x", status: 200,
                tokens: 7))
        writer.close()
        let expected: [[UInt8]] =
            paths.map { path in
                LineLogHandler.line(
                    format: format, label: "attend", level: .info, message: "request",
                    metadata: [
                        "bytes": "15", "method": "GET", "ms": "0.04", "path": "\(path)", "status": "404",
                        "tokens": "0",
                    ], source: "AttendHTTP")
            } + [
                LineLogHandler.line(
                    format: format, label: "attend", level: .info, message: "request",
                    metadata: [
                        "bytes": "0", "method": "POST", "ms": "1e12", "path": "/x", "status": "200", "tokens": "7",
                    ], source: "AttendHTTP")
            ]
        #expect(sink.lines.count == expected.count)
        for (written, line) in zip(sink.lines, expected) {
            #expect(Self.untimed(Array((written + "\n").utf8), format: format) == Self.untimed(line, format: format))
        }
        // After closing, the caller formats and writes the line itself.
        #expect(
            handler.logRequest(
                bytes: 1, method: "GET", millisecondUnits: 0, millisecondsText: "", path: "/late", status: 200,
                tokens: 0))
        #expect(sink.lines.last?.contains("/late") == true)
    }

    @Test func lineBytes_KeepEveryByte_WhenTheLineOutgrowsItsScratch() {
        let long = String(repeating: "abcdefghij", count: 100)
        #expect(Self.written { $0.put(long) } == long)
        #expect(Self.written { bytes in for byte in long.utf8 { bytes.put(byte) } } == long)
        #expect(Self.written { LineBuilder.putJSONString("a\"b\u{1}", to: &$0) } == #""a\"b\u0001""#)
    }

    @Test(arguments: [LineLogHandler.Format.text, .json])
    func builtFields_WriteTheLoggerLine_WhenTheLineIsLongerThanTheStackScratch(format: LineLogHandler.Format) throws {
        let sink = LogWriterTests.Sink()
        let writer = LogWriter(capacity: 1 << 16, interval: .seconds(3600), output: sink.output)
        let handler = LineLogHandler(label: "attend", format: format, writer: writer)
        let path = "/" + String(repeating: "p\u{7}\"", count: LineLogHandler.scratchBytes)
        #expect(handler.log(level: .info, message: "request", source: "AttendHTTP") { $0.text("path", path) })
        writer.close()
        let expected = LineLogHandler.line(
            format: format, label: "attend", level: .info, message: "request", metadata: ["path": "\(path)"],
            source: "AttendHTTP")
        let written = try #require(sink.lines.first)
        #expect(sink.lines.count == 1)
        #expect(written.utf8.count > LineLogHandler.scratchBytes)
        #expect(
            Self.untimed(Array((written + "\n").utf8), format: format) == Self.untimed(expected, format: format))
    }

    @Test func sortedFields_WriteNothing_WhenTheHandlerHasItsOwnMetadata() {
        let sink = LogWriterTests.Sink()
        let writer = LogWriter(capacity: 1 << 16, interval: .seconds(3600), output: sink.output)
        var handler = LineLogHandler(label: "attend", format: .text, writer: writer)
        handler[metadataKey: "instance"] = "a"
        #expect(!handler.log(level: .info, message: "request", sortedFields: ["k": "v"], source: "AttendHTTP"))
        writer.close()
        #expect(sink.lines.isEmpty)
    }

    @Test func liveService_LogsOneLinePerRequest_WithItsFields() async throws {
        let sink = LogWriterTests.Sink()
        let writer = LogWriter(capacity: 1 << 16, interval: .seconds(3600), output: sink.output)
        var configuration = ServiceConfiguration()
        configuration.server.host = "127.0.0.1"
        configuration.server.port = 0
        let app = AttendApp(configuration: configuration, registry: ModelRegistry(models: [TestModels.tiny]))
        let logger = Logger(label: "attend") { LineLogHandler(label: $0, format: .text, writer: writer) }
        let server = Server(configuration: app.serverConfiguration, router: app.makeRouter(), logger: logger)
        let port = try server.start()
        let replies = try await onThread {
            let client = LoopbackClient(port: port)
            defer { client.close() }
            return try [client.request("GET", "/healthz"), client.request("GET", "/nowhere")]
        }
        await server.shutdown(deadline: .seconds(1))
        app.shutdown()
        writer.close()
        #expect(replies.map(\.status) == [200, 404])
        #expect(replies[0].header("x-attend-total-time") != nil)
        let requests = sink.lines.filter { $0.hasSuffix("[AttendHTTP] request") }
        #expect(requests.count == 2, "\(sink.lines)")
        let healthz = try #require(requests.first)
        #expect(healthz.contains(" info attend: bytes=15 method=GET ms="), "\(healthz)")
        #expect(healthz.contains(" path=/healthz status=200 tokens=0 [AttendHTTP] request"), "\(healthz)")
        #expect(requests.last?.contains(" path=/nowhere status=404 tokens=0 ") == true, "\(requests)")
    }
}
