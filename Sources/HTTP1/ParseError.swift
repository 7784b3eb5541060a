/// Why a request could not be parsed. Each case knows its response status, a stable snake_case `code` and a
/// short `message`.
///
/// After any parse error the connection must be closed once the error response is written: the framing of
/// whatever follows cannot be trusted (RFC 9112 §6.3, §11.2). `closesConnection` says so for every case, and
/// the parser stays failed (every later `next()` rethrows the same error).
public enum ParseError: Error, Sendable, Equatable, CaseIterable, CustomStringConvertible {
    // Request line.
    /// The request line (or the empty lines before it) is longer than `maxRequestLineBytes`. 414.
    case requestLineTooLong
    /// The request line is not `method SP request-target SP HTTP-version`. 400.
    case invalidRequestLine
    /// The method is not a token. 400.
    case invalidMethod
    /// The request-target is not origin-form, absolute-form (http/https) or `*` (with OPTIONS). 400.
    case invalidTarget
    /// CONNECT (authority-form) is not supported by this server. 501.
    case connectNotSupported
    /// The version is not `HTTP/DIGIT.DIGIT`. 400.
    case invalidVersion
    /// A well-formed version other than HTTP/1.x (HTTP/0.9, HTTP/2.0, HTTP/3 ...). 505.
    case unsupportedVersion

    // Header section.
    /// The header (or trailer) section is larger than `maxHeaderBytes`. 431.
    case headerSectionTooLarge
    /// More header (or trailer) field lines than `maxHeaderCount`. 431.
    case tooManyHeaders
    /// A field name is empty or has a non-token byte (NUL, controls, separators). 400.
    case invalidHeaderName
    /// A field line has no colon. 400.
    case missingColon
    /// Whitespace between a field name and the colon (RFC 9112 §5.1). 400.
    case whitespaceBeforeColon
    /// A field line starts with whitespace: obsolete line folding (RFC 9112 §5.2). 400.
    case obsoleteLineFolding
    /// A field value has NUL or another control byte. 400.
    case invalidHeaderValue
    /// A CR not followed by LF in the request line or a field line (RFC 9112 §2.2). 400.
    case bareCarriageReturn
    /// An HTTP/1.1 request without `Host` (RFC 9112 §3.2). 400.
    case missingHost
    /// More than one `Host` field line (RFC 9112 §3.2). 400.
    case multipleHost
    /// A `Host` value with a byte no `uri-host [":" port]` has (such as `/`, `@`, space). 400.
    case invalidHost

    // Framing.
    /// `Content-Length` is not a (list of equal) decimal number(s) that fits: sign, letters, empty, overflow. 400.
    case invalidContentLength
    /// `Content-Length` field lines or list elements with different values. 400.
    case conflictingContentLength
    /// Both `Transfer-Encoding` and `Content-Length` (RFC 9112 §6.3: a smuggling risk). 400, then close.
    case contentLengthWithTransferEncoding
    /// `Transfer-Encoding` in an HTTP/1.0 request (RFC 9112 §6.1: faulty framing). 400, then close.
    case transferEncodingInHTTP10
    /// `Transfer-Encoding` whose final coding is not `chunked`, or with `chunked` twice (RFC 9112 §6.3). 400.
    case chunkedNotFinal
    /// A transfer coding other than `chunked` (such as `gzip, chunked`). 501.
    case unsupportedTransferCoding
    /// `Content-Length` larger than `maxBodyBytes`, refused from the headers alone. 413.
    case contentTooLarge
    /// A chunk size would take the decoded chunked body past `maxBodyBytes`. 413.
    case chunkedBodyTooLarge

    // Chunked body.
    /// A chunk size that is empty, not hex, longer than 16 digits or overflowing. 400.
    case invalidChunkSize
    /// A malformed chunk extension (controls, missing `;`). 400.
    case invalidChunkExtension
    /// A chunk-size line longer than `maxChunkLineBytes`. 400.
    case chunkLineTooLong
    /// A chunk-size line not ended by CRLF, or chunk data not followed by CRLF. 400.
    case missingChunkCRLF

    /// Always true: after a parse error the connection is closed once the error response is written.
    public var closesConnection: Bool { true }

    /// The status to answer with.
    public var status: HTTPStatus {
        switch self {
        case .requestLineTooLong: .uriTooLong
        case .connectNotSupported, .unsupportedTransferCoding: .notImplemented
        case .unsupportedVersion: .httpVersionNotSupported
        case .headerSectionTooLarge, .tooManyHeaders: .requestHeaderFieldsTooLarge
        case .contentTooLarge, .chunkedBodyTooLarge: .contentTooLarge
        default: .badRequest
        }
    }

    /// A stable snake_case code for the JSON error body.
    public var code: String {
        switch self {
        case .requestLineTooLong: "request_line_too_long"
        case .invalidRequestLine: "invalid_request_line"
        case .invalidMethod: "invalid_method"
        case .invalidTarget: "invalid_target"
        case .connectNotSupported: "connect_not_supported"
        case .invalidVersion: "invalid_version"
        case .unsupportedVersion: "unsupported_version"
        case .headerSectionTooLarge: "header_section_too_large"
        case .tooManyHeaders: "too_many_headers"
        case .invalidHeaderName: "invalid_header_name"
        case .missingColon: "missing_colon"
        case .whitespaceBeforeColon: "whitespace_before_colon"
        case .obsoleteLineFolding: "obsolete_line_folding"
        case .invalidHeaderValue: "invalid_header_value"
        case .bareCarriageReturn: "bare_carriage_return"
        case .missingHost: "missing_host"
        case .multipleHost: "multiple_host"
        case .invalidHost: "invalid_host"
        case .invalidContentLength: "invalid_content_length"
        case .conflictingContentLength: "conflicting_content_length"
        case .contentLengthWithTransferEncoding: "content_length_with_transfer_encoding"
        case .transferEncodingInHTTP10: "transfer_encoding_in_http10"
        case .chunkedNotFinal: "chunked_not_final"
        case .unsupportedTransferCoding: "unsupported_transfer_coding"
        case .contentTooLarge: "content_too_large"
        case .chunkedBodyTooLarge: "chunked_body_too_large"
        case .invalidChunkSize: "invalid_chunk_size"
        case .invalidChunkExtension: "invalid_chunk_extension"
        case .chunkLineTooLong: "chunk_line_too_long"
        case .missingChunkCRLF: "missing_chunk_crlf"
        }
    }

    /// A short human-readable message (ASCII, no quotes).
    public var message: String {
        switch self {
        case .requestLineTooLong: "The request line is too long."
        case .invalidRequestLine: "The request line is malformed."
        case .invalidMethod: "The request method is not a valid token."
        case .invalidTarget: "The request target is malformed."
        case .connectNotSupported: "CONNECT is not supported."
        case .invalidVersion: "The HTTP version is malformed."
        case .unsupportedVersion: "Only HTTP/1.0 and HTTP/1.1 are supported."
        case .headerSectionTooLarge: "The header section is too large."
        case .tooManyHeaders: "There are too many header fields."
        case .invalidHeaderName: "A header field name is invalid."
        case .missingColon: "A header field line has no colon."
        case .whitespaceBeforeColon: "Whitespace before a header field colon is not allowed."
        case .obsoleteLineFolding: "Obsolete line folding is not allowed."
        case .invalidHeaderValue: "A header field value has an invalid character."
        case .bareCarriageReturn: "A carriage return is not followed by a line feed."
        case .missingHost: "The Host header field is missing."
        case .multipleHost: "There is more than one Host header field."
        case .invalidHost: "The Host header field is invalid."
        case .invalidContentLength: "The Content-Length header field is invalid."
        case .conflictingContentLength: "Content-Length header fields disagree."
        case .contentLengthWithTransferEncoding: "Content-Length and Transfer-Encoding cannot be combined."
        case .transferEncodingInHTTP10: "Transfer-Encoding is not allowed in HTTP/1.0."
        case .chunkedNotFinal: "The final transfer coding must be chunked, applied once."
        case .unsupportedTransferCoding: "Only the chunked transfer coding is supported."
        case .contentTooLarge: "The request body is too large."
        case .chunkedBodyTooLarge: "The chunked request body is too large."
        case .invalidChunkSize: "A chunk size is invalid."
        case .invalidChunkExtension: "A chunk extension is invalid."
        case .chunkLineTooLong: "A chunk size line is too long."
        case .missingChunkCRLF: "A chunk is not terminated by CRLF."
        }
    }

    /// `status code: message`
    public var description: String { "\(status.code) \(code): \(message)" }
}
