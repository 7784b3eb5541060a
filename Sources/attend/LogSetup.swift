import AttendCore
import AttendHTTP
import Logging

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#endif

/// Bootstraps swift-log once: human-readable text or one JSON object per line, on standard error, through one
/// buffered ``LogWriter`` (requests never wait for the log; lines it had to drop are counted and reported), which
/// is flushed when the process exits.
enum LogSetup {
    /// The writer every handler shares (nil before ``bootstrap(_:)``).
    nonisolated(unsafe) private(set) static var writer: LogWriter?

    static func bootstrap(_ format: ServiceConfiguration.LogFormat) {
        let lineFormat: LineLogHandler.Format = format == .json ? .json : .text
        let writer = LogWriter(fileDescriptor: 2) { dropped in
            LineLogHandler.line(
                format: lineFormat, label: "attend", level: .warning,
                message: "log buffer full: \(dropped) line(s) dropped", metadata: [:], source: "attend")
        }
        Self.writer = writer
        LoggingSystem.bootstrap { LineLogHandler(label: $0, format: lineFormat, writer: writer) }
        // `exit` (after SIGTERM, on a failed start) runs this: whatever is buffered is written first.
        atexit { LogSetup.writer?.close() }
    }

    /// Exposes the writer's dropped lines as `attend_log_lines_dropped_total` in `metrics`.
    static func count(into metrics: Metrics) {
        guard let writer else { return }
        metrics.sample(
            counter: "attend_log_lines_dropped_total", help: "Log lines dropped because the log buffer was full."
        ) { writer.droppedLines }
    }
}
