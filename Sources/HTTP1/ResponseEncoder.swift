#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Turns responses into HTTP/1.1 bytes: status line, `Date`, `Server`, the response's fields, framing
/// (`Content-Length` or `Transfer-Encoding: chunked`) and `Connection`. Field names, values and reason phrases
/// cannot break the framing (CR, LF and NUL are neutralised).
///
/// The encoder owns framing: `Content-Length`, `Transfer-Encoding` and `Connection` fields of a response are not
/// copied (a `Connection: close` in the response is honoured by closing, see `encode`). Responses to HEAD and
/// 1xx/204/304 responses never carry content. The `Date` value is formatted once per second and cached.
public struct ResponseEncoder: Sendable {
    /// How a response body is delimited.
    public enum Framing: Sendable, Equatable {
        /// `Content-Length: n` followed by `n` bytes.
        case contentLength(Int)
        /// `Transfer-Encoding: chunked`; send chunks with `encodeChunk` and end with `encodeLastChunk`.
        case chunked
        /// No content and no length field (1xx, 204, 304).
        case none
    }

    /// The `Server` field value, or nil to send none.
    public var serverName: String?
    private let clock: @Sendable () -> Int
    private var cachedSecond = Int.min
    private var cachedDate: [UInt8] = []

    /// Creates an encoder. `serverName` is the `Server` field value (none by default: the application names
    /// itself). `clock` gives the current time in seconds since 1970 (UTC); tests pass a fixed one.
    public init(serverName: String? = nil, clock: @escaping @Sendable () -> Int = ResponseEncoder.systemClock) {
        self.serverName = serverName
        self.clock = clock
    }

    /// The system's wall clock in whole seconds since 1970.
    public static let systemClock: @Sendable () -> Int = { Int(time(nil)) }

    /// `HTTP/1.1 100 Continue` and an empty line, to answer `Expect: 100-continue`.
    public static let continueResponse: [UInt8] = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)

    /// Appends a whole response to `buffer`.
    ///
    /// - Parameters:
    ///   - requestMethod: the request's method; for HEAD the `Content-Length` of the body is sent without it.
    ///   - requestVersion: the request's version; an HTTP/1.0 keep-alive answer says `Connection: keep-alive`.
    ///   - keepAlive: whether the connection stays open (`RequestHead.keepAlive` and the server's own choice).
    /// - Returns: whether the connection stays open: `keepAlive`, unless the response says `Connection: close`.
    @discardableResult
    public mutating func encode(
        _ response: Response, requestMethod: HTTPMethod = .GET, requestVersion: HTTPVersion = .http1_1,
        keepAlive: Bool = true, into buffer: inout [UInt8]
    ) -> Bool {
        let keepOpen = keepAlive && !response.headers.containsToken("close", in: "connection")
        let framing: Framing
        if response.status.forbidsBody {
            framing = .none
        } else if requestMethod == .HEAD, response.body.isEmpty, let declared = response.headers["content-length"],
            let length = Int(declared), length >= 0
        {
            framing = .contentLength(length)
        } else {
            framing = .contentLength(response.body.count)
        }
        encodeHead(
            status: response.status, headers: response.headers, framing: framing, requestVersion: requestVersion,
            keepAlive: keepOpen, into: &buffer)
        if requestMethod != .HEAD, framing != .none {
            buffer.append(contentsOf: response.body)
        }
        return keepOpen
    }

    /// A whole response as bytes; see `encode(_:requestMethod:requestVersion:keepAlive:into:)`.
    public mutating func encode(
        _ response: Response, requestMethod: HTTPMethod = .GET, requestVersion: HTTPVersion = .http1_1,
        keepAlive: Bool = true
    ) -> [UInt8] {
        var buffer: [UInt8] = []
        buffer.reserveCapacity(128 + response.body.count)
        encode(
            response, requestMethod: requestMethod, requestVersion: requestVersion, keepAlive: keepAlive,
            into: &buffer)
        return buffer
    }

    /// Appends a status line and header section with the given framing (for streamed bodies).
    public mutating func encodeHead(
        status: HTTPStatus, headers: HTTPHeaders, framing: Framing, requestVersion: HTTPVersion = .http1_1,
        keepAlive: Bool, into buffer: inout [UInt8]
    ) {
        Self.appendLiteral("HTTP/1.1 ", to: &buffer)
        Self.appendDecimal(status.code, to: &buffer)
        buffer.append(ASCII.space)
        Self.appendText(status.reasonPhrase, to: &buffer)
        Self.appendLiteral("\r\n", to: &buffer)
        // One look at the names' lengths finds the two fields the application may set itself.
        var hasDate = false
        var hasServer = false
        for field in headers.fields {
            switch field.name.utf8.count {
            case 4: hasDate = hasDate || HTTPHeaders.equalsIgnoringCase(field.name, "date")
            case 6: hasServer = hasServer || HTTPHeaders.equalsIgnoringCase(field.name, "server")
            default: break
            }
        }
        if !hasDate {
            Self.appendLiteral("Date: ", to: &buffer)
            appendCurrentDate(to: &buffer)
            Self.appendLiteral("\r\n", to: &buffer)
        }
        if let serverName, !hasServer {
            Self.appendField("Server", serverName, to: &buffer)
        }
        for field in headers where !Self.isFramingField(field.name) {
            Self.appendField(field.name, field.value, to: &buffer)
        }
        switch framing {
        case .contentLength(let length):
            Self.appendLiteral("Content-Length: ", to: &buffer)
            Self.appendDecimal(length, to: &buffer)
            Self.appendLiteral("\r\n", to: &buffer)
        case .chunked:
            Self.appendLiteral("Transfer-Encoding: chunked\r\n", to: &buffer)
        case .none:
            break
        }
        if !status.isInformational {
            if !keepAlive {
                Self.appendLiteral("Connection: close\r\n", to: &buffer)
            } else if requestVersion < .http1_1 {
                Self.appendLiteral("Connection: keep-alive\r\n", to: &buffer)
            }
        }
        Self.appendLiteral("\r\n", to: &buffer)
    }

    /// Appends one chunk of a chunked body (nothing for empty `bytes`, which would end the body).
    public static func encodeChunk(_ bytes: some Collection<UInt8>, into buffer: inout [UInt8]) {
        guard !bytes.isEmpty else { return }
        appendHex(bytes.count, to: &buffer)
        Self.appendLiteral("\r\n", to: &buffer)
        buffer.append(contentsOf: bytes)
        Self.appendLiteral("\r\n", to: &buffer)
    }

    /// Appends the last chunk, optional trailer fields and the final empty line.
    public static func encodeLastChunk(trailers: HTTPHeaders = [:], into buffer: inout [UInt8]) {
        Self.appendLiteral("0\r\n", to: &buffer)
        for field in trailers {
            Self.appendField(field.name, field.value, to: &buffer)
        }
        Self.appendLiteral("\r\n", to: &buffer)
    }

    /// The current `Date` value (IMF-fixdate), formatted at most once per second.
    public mutating func currentDate() -> [UInt8] {
        refreshDate()
        return cachedDate
    }

    /// Appends ``currentDate()``'s bytes without copying the cached array.
    mutating func appendCurrentDate(to buffer: inout [UInt8]) {
        refreshDate()
        cachedDate.withUnsafeBufferPointer { buffer.append(contentsOf: $0) }
    }

    private mutating func refreshDate() {
        let now = clock()
        if now != cachedSecond {
            cachedSecond = now
            cachedDate = Self.imfFixdate(now)
        }
    }

    /// Whether the encoder writes this field itself.
    static func isFramingField(_ name: String) -> Bool {
        switch name.utf8.count {
        case 10: HTTPHeaders.equalsIgnoringCase(name, "connection")
        case 14: HTTPHeaders.equalsIgnoringCase(name, "content-length")
        case 17: HTTPHeaders.equalsIgnoringCase(name, "transfer-encoding")
        default: false
        }
    }
}
