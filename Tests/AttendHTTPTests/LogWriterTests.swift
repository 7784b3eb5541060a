import Dispatch
import Foundation
import JSON
import Logging
import Synchronization
import TestSupport
import Testing

@testable import AttendHTTP

/// The buffered log writer: order, the bounded buffer (drops counted, never waiting), flush and close; and the
/// line format of ``LineLogHandler``.
@Suite struct LogWriterTests {
    /// Collects what the writer writes; the first write can be held until the test releases it.
    final class Sink: Sendable {
        let bytes = Mutex<[UInt8]>([])
        let entered = EventLog<Int>()
        let release = DispatchSemaphore(value: 0)
        let holdFirst: Bool
        let writes = Atomic<Int>(0)

        init(holdFirst: Bool = false) { self.holdFirst = holdFirst }

        var output: LogWriter.Output {
            { [self] chunk in
                let n = writes.add(1, ordering: .relaxed).newValue
                entered.record(n)
                if holdFirst, n == 1 { release.wait() }
                bytes.withLock { $0.append(contentsOf: chunk) }
            }
        }

        var lines: [String] {
            String(decoding: bytes.withLock { $0 }, as: UTF8.self).split(separator: "\n").map(String.init)
        }
    }

    static func line(_ text: String) -> [UInt8] { Array((text + "\n").utf8) }

    /// A request line for `path` (text format).
    static func requestLine(path: String) -> RequestLine {
        RequestLine(
            format: .text, label: "attend", time: (0, 0), bytes: 2, method: "GET", millisecondUnits: 1,
            millisecondsText: "", path: path, status: 200, tokens: 0)
    }

    @Test func writer_KeepsEveryLineWholeAndInOrder_WhenManyThreadsAppend() {
        let sink = Sink()
        let writer = LogWriter(capacity: 1 << 20, interval: .milliseconds(1), output: sink.output)
        let threads = 4
        let perThread = 500
        DispatchQueue.concurrentPerform(iterations: threads) { t in
            for i in 0..<perThread { writer.append(Self.line("t\(t) \(i) end")) }
        }
        writer.close()
        let lines = sink.lines
        #expect(lines.count == threads * perThread)
        #expect(writer.droppedLines == 0)
        #expect(writer.acceptedLines == threads * perThread)
        var next = Array(repeating: 0, count: threads)
        for line in lines {
            let parts = line.split(separator: " ")
            guard parts.count == 3, parts[2] == "end", let t = Int(parts[0].dropFirst()), let i = Int(parts[1]),
                (0..<threads).contains(t)
            else {
                Issue.record("torn or foreign line: \(line)")
                continue
            }
            #expect(i == next[t], "thread \(t): line \(i) after \(next[t] - 1)")
            next[t] = i + 1
        }
        #expect(next == Array(repeating: perThread, count: threads))
    }

    @Test func writer_KeepsTheAppendOrder_WhenThreadsAppendInTurn() {
        let sink = Sink()
        let writer = LogWriter(capacity: 1 << 20, interval: .seconds(3600), output: sink.output)
        // Two threads take turns (each append happens before the other thread's next one): their lines land in
        // different lanes (most likely), and must come out in the order they were appended.
        let turns = [DispatchSemaphore(value: 1), DispatchSemaphore(value: 0)]
        let rounds = 200
        let done = DispatchGroup()
        for t in 0..<2 {
            done.enter()
            Thread {
                for i in 0..<rounds {
                    turns[t].wait()
                    // Lines as bytes and request lines (formatted later) mixed: one order for both kinds.
                    if i.isMultiple(of: 3) {
                        writer.append(request: Self.requestLine(path: "/\(2 * i + t)"))
                    } else {
                        writer.append(Self.line("\(2 * i + t)"))
                    }
                    turns[1 - t].signal()
                }
                done.leave()
            }.start()
        }
        done.wait()
        writer.close()
        // A request line stands for its path's number.
        let numbers = sink.lines.map { line in
            line.split(separator: " ").first { $0.hasPrefix("path=/") }.map { String($0.dropFirst(6)) } ?? line
        }
        #expect(numbers == (0..<(2 * rounds)).map { "\($0)" })
    }

    @Test func writer_DropsAndCountsLines_WhenTheBufferIsFullAndTheOutputBlocked() async throws {
        let sink = Sink(holdFirst: true)
        // A quarter of 32 bytes is 8: the first 8-byte line wakes the writer at once.
        let writer = LogWriter(
            capacity: 32, interval: .seconds(3600), output: sink.output,
            dropNotice: { Array("dropped \($0)\n".utf8) })
        #expect(writer.append(Self.line("line-00")))
        // The writer now holds line-00 in the (blocked) output; the buffer is empty again.
        #expect(await sink.entered.wait { $0.count == 1 })
        var accepted: [Bool] = []
        for i in 1...6 { accepted.append(writer.append(Self.line("line-0\(i)"))) }
        #expect(accepted == [true, true, true, true, false, false])
        #expect(writer.droppedLines == 2)
        #expect(writer.acceptedLines == 5)
        sink.release.signal()
        writer.close()
        #expect(sink.lines == ["line-00", "line-01", "line-02", "line-03", "line-04", "dropped 2"])
    }

    @Test func writer_WritesEverythingBuffered_WhenClosed() {
        let sink = Sink()
        let writer = LogWriter(capacity: 1 << 16, interval: .seconds(3600), output: sink.output)
        for i in 0..<100 { writer.append(Self.line("n\(i)")) }
        writer.close()
        #expect(sink.lines == (0..<100).map { "n\($0)" })
        // After closing, a line is written by the caller before append returns.
        writer.append(Self.line("late"))
        #expect(sink.lines.last == "late")
        writer.close()
        #expect(sink.lines.count == 101)
    }

    @Test func writer_HandsOverEveryEarlierLine_WhenFlushed() {
        let sink = Sink()
        let writer = LogWriter(capacity: 1 << 16, interval: .seconds(3600), output: sink.output)
        writer.append(Self.line("a"))
        writer.append(Self.line("b"))
        writer.flush()
        #expect(sink.lines == ["a", "b"])
        writer.close()
    }

    @Test func lineHandler_WritesOneJSONObject_WhenFormatIsJSON() throws {
        let bytes = LineLogHandler.line(
            format: .json, label: "attend", level: .info, message: "request \"quoted\"\nnext",
            metadata: ["status": "200", "ms": "0.25", "path": "/healthz", "code": "007", "neg": "-3"],
            source: "AttendHTTP", time: (1_764_592_520, 7))
        #expect(bytes.last == UInt8(ascii: "\n"))
        #expect(bytes.dropLast().contains(UInt8(ascii: "\n")) == false)
        let value = try JSONParser().parse(Array(bytes.dropLast()))
        #expect(value["ts"]?.stringValue == "2025-12-01T12:35:20.007Z")
        #expect(value["level"]?.stringValue == "info")
        #expect(value["msg"]?.stringValue == "request \"quoted\"\nnext")
        #expect(value["status"]?.number == 200)
        #expect(value["ms"]?.number == 0.25)
        #expect(value["neg"]?.number == -3)
        #expect(value["code"]?.stringValue == "007")
        #expect(value["path"]?.stringValue == "/healthz")
    }

    @Test func lineHandler_SortsMetadataOnOneLine_WhenFormatIsText() {
        let bytes = LineLogHandler.line(
            format: .text, label: "attend", level: .warning, message: "two\nlines",
            metadata: ["b": "2", "a": "x y"], source: "attend", time: (951_868_799, 999))
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text == "2000-02-29T23:59:59.999Z warning attend: a=x y b=2 [attend] two lines\n")
    }

    @Test func lineHandler_GoesThroughTheWriter_WhenUsedAsALogger() {
        let sink = Sink()
        let writer = LogWriter(capacity: 1 << 16, interval: .seconds(3600), output: sink.output)
        var logger = Logger(label: "t") { LineLogHandler(label: $0, format: .text, writer: writer) }
        logger.logLevel = .info
        logger.debug("hidden")
        logger.info("shown", metadata: ["k": "v"])
        writer.close()
        #expect(sink.lines.count == 1)
        #expect(sink.lines.first?.hasSuffix(" info t: k=v [AttendHTTPTests] shown") == true)
    }
}
