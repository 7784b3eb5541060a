/// An incremental HTTP/1.x request parser (RFC 9112): bytes in, events out, no I/O.
///
/// Feed bytes with `append(_:)` as they arrive, then call `next()` until it returns nil (more bytes needed).
/// Each request gives `.head`, zero or more `.body`, then `.end(trailers:)`; after `.end` the parser parses the
/// next pipelined request from the bytes already buffered. The events (with body bytes concatenated) are the
/// same however the input is split.
///
/// Errors: `next()` throws a `ParseError` whose `status` is the answer; the connection must then be closed
/// (`ParseError.closesConnection`), and the parser stays failed. Limits are checked while scanning, so a line or
/// section past its limit fails as soon as the bytes buffered exceed it — call `next()` after every `append`.
///
/// ```swift
/// var parser = RequestParser(limits: configuration.limits)
/// parser.append(bytesJustRead)
/// do {
///     while let event = try parser.next() {
///         switch event {
///         case .head(let head): start(head)            // head.expectsContinue: send 100 Continue
///         case .body(let bytes): collect(bytes)
///         case .end(let trailers): finish(trailers)   // next pipelined request follows
///         }
///     }
/// } catch {
///     send(ResponseEncoder.errorResponse(for: error)) // then close: error.closesConnection
/// }
/// ```
///
/// Line endings: CRLF, or a bare LF, ends the request line and field lines (RFC 9112 §2.2 allows a recipient to
/// accept LF); a CR not followed by LF is an error. Chunk-size lines and chunk data must end in CRLF exactly.
/// Empty lines before a request line are skipped (bounded by `maxRequestLineBytes`).
public struct RequestParser: Sendable {
    enum State: Sendable {
        case requestLine
        case headers
        case fixedBody(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case end
        case failed(ParseError)
    }

    /// The limits in force.
    public let limits: ParserLimits

    var buffer: [UInt8] = []
    /// Index of the first unconsumed byte of `buffer`.
    var start = 0
    /// Bytes after `start` already searched for LF without finding one.
    var scanned = 0
    var state = State.requestLine

    // The message being parsed.
    var head: RequestHead?
    var headers = HTTPHeaders()
    var sectionBytes = 0
    var leadingBytes = 0
    var bodyTotal = 0
    var framing = Framing()
    var assembling: Request?

    /// Creates a parser.
    public init(limits: ParserLimits = .default) {
        self.limits = limits
    }

    /// Buffers bytes received from the peer. Bytes are ignored once the parser has failed.
    public mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard prepareAppend() else { return }
        buffer.append(contentsOf: bytes)
    }

    /// Buffers bytes received from the peer. Bytes are ignored once the parser has failed.
    public mutating func append(_ bytes: [UInt8]) {
        guard prepareAppend() else { return }
        buffer.append(contentsOf: bytes)
    }

    /// Buffers bytes received from the peer. Bytes are ignored once the parser has failed.
    public mutating func append(_ bytes: ArraySlice<UInt8>) {
        guard prepareAppend() else { return }
        buffer.append(contentsOf: bytes)
    }

    /// The number of bytes buffered and not yet consumed.
    public var bufferedByteCount: Int { buffer.count - start }

    /// Whether the parser is between requests with nothing buffered (an idle keep-alive connection).
    public var isIdle: Bool {
        if case .requestLine = state { return buffer.count == start }
        return false
    }

    /// Whether the parser is still reading a request head (request line or header section), so a
    /// header-read timeout applies. True before the first byte of a request as well.
    public var isReadingHead: Bool {
        switch state {
        case .requestLine, .headers: true
        default: false
        }
    }

    /// The error the parser failed with, if any.
    public var failure: ParseError? {
        if case .failed(let error) = state { return error }
        return nil
    }

    /// The next event from the bytes buffered so far, or nil when more bytes are needed.
    public mutating func next() throws(ParseError) -> ParseEvent? {
        if case .failed(let error) = state { throw error }
        let storage = buffer
        var outcome: Result<ParseEvent?, ParseError> = .success(nil)
        storage.withUnsafeBufferPointer { bytes in
            do throws(ParseError) {
                outcome = .success(try step(bytes))
            } catch {
                outcome = .failure(error)
            }
        }
        switch outcome {
        case .success(let event):
            return event
        case .failure(let error):
            state = .failed(error)
            head = nil
            headers = HTTPHeaders()
            assembling = nil
            throw error
        }
    }

    /// The next complete request (head and whole body), or nil when more bytes are needed.
    ///
    /// A convenience over `next()`; use one or the other on a parser, not both.
    public mutating func nextRequest() throws(ParseError) -> Request? {
        while let event = try next() {
            switch event {
            case .head(let head):
                assembling = Request(head: head)
            case .body(let bytes):
                assembling?.body.append(contentsOf: bytes)
            case .end(let trailers):
                if var request = assembling {
                    assembling = nil
                    request.trailers = trailers
                    return request
                }
            }
        }
        return nil
    }

    /// The head of the request `nextRequest()` is assembling (its body is incomplete), for example to answer
    /// `Expect: 100-continue`.
    public var pendingHead: RequestHead? { assembling?.head }

    private mutating func prepareAppend() -> Bool {
        if case .failed = state { return false }
        if start == buffer.count {
            buffer.removeAll(keepingCapacity: true)
            start = 0
        } else if start >= 4096, start * 2 >= buffer.count {
            buffer.removeSubrange(0..<start)
            start = 0
        }
        return true
    }
}
