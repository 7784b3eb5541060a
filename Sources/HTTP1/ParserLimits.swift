/// Size limits of the request parser. Each is checked before the excess is buffered by the parser.
public struct ParserLimits: Sendable, Equatable {
    /// Maximum bytes of the request line, terminator included (and of empty lines before it). Past it: 414.
    public var maxRequestLineBytes: Int
    /// Maximum bytes of the header section (all field lines and the final empty line). Past it: 431.
    /// The trailer section of a chunked body has the same limit.
    public var maxHeaderBytes: Int
    /// Maximum number of header field lines (and of trailer field lines). Past it: 431.
    public var maxHeaderCount: Int
    /// Maximum body bytes: a larger `Content-Length` is refused from the headers alone; a chunked body is refused
    /// as soon as a chunk size would take the decoded total past it. Past it: 413.
    public var maxBodyBytes: Int
    /// Maximum bytes of one chunk-size line with its extensions. Past it: 400.
    public var maxChunkLineBytes: Int

    /// Creates limits; the defaults suit an API server.
    public init(
        maxRequestLineBytes: Int = 8192, maxHeaderBytes: Int = 64 << 10, maxHeaderCount: Int = 100,
        maxBodyBytes: Int = 8 << 20, maxChunkLineBytes: Int = 1024
    ) {
        self.maxRequestLineBytes = maxRequestLineBytes
        self.maxHeaderBytes = maxHeaderBytes
        self.maxHeaderCount = maxHeaderCount
        self.maxBodyBytes = maxBodyBytes
        self.maxChunkLineBytes = maxChunkLineBytes
    }

    /// The default limits.
    public static let `default` = ParserLimits()
}
