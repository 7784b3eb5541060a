import Logging

/// The per-request log line's values, kept as they are until the log writer's thread formats them: the request's
/// thread only copies them into its lane (``LogWriter/append(request:)``), and the text or JSON line is built in
/// the writer's batch, off the request's path. The bytes are those ``LineLogHandler/log(level:message:source:fields:)``
/// writes for `request` at info with the fields bytes, method, ms, path, status and tokens.
public struct RequestLine: Sendable {
    /// The handler's format and label.
    public var format: LineLogHandler.Format
    public var label: String
    /// When the line was logged (wall clock).
    public var time: (seconds: Int, milliseconds: Int)
    /// Response body bytes.
    public var bytes: Int
    public var method: String
    /// The time taken, in hundredths of a millisecond; when nil (out of range), `millisecondsText` is written.
    public var millisecondUnits: Int64?
    public var millisecondsText: String
    public var path: String
    public var status: Int
    public var tokens: Int

    /// Creates the values of one line.
    public init(
        format: LineLogHandler.Format, label: String, time: (seconds: Int, milliseconds: Int), bytes: Int,
        method: String, millisecondUnits: Int64?, millisecondsText: String, path: String, status: Int, tokens: Int
    ) {
        self.format = format
        self.label = label
        self.time = time
        self.bytes = bytes
        self.method = method
        self.millisecondUnits = millisecondUnits
        self.millisecondsText = millisecondsText
        self.path = path
        self.status = status
        self.tokens = tokens
    }

    /// What the line counts against a lane's capacity (its length, or a little more).
    var estimatedBytes: Int { 160 + label.utf8.count + method.utf8.count + path.utf8.count }

    /// Appends the finished line, newline included.
    func write(to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: LineLogHandler.scratchBytes) { scratch in
            var builder = LineBuilder(
                format: format, label: label, level: .info, message: "request", source: "AttendHTTP", time: time,
                scratch: scratch)
            builder.integer("bytes", bytes)
            builder.text("method", method)
            if let units = millisecondUnits {
                builder.fixedPoint("ms", units: units, places: 2)
            } else {
                builder.text("ms", millisecondsText)
            }
            builder.text("path", path)
            builder.integer("status", status)
            builder.integer("tokens", tokens)
            let line = builder.finish()
            line.withBytes { out.append(contentsOf: $0) }
        }
    }
}
