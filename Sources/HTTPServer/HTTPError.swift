import HTTP1

/// An error a handler throws to answer with a status and a JSON body
/// `{"error":{"code":"...","message":"..."}}`. Any other thrown error becomes a 500 with code `internal_error`.
public struct HTTPError: Error, Sendable, CustomStringConvertible {
    /// The response status.
    public var status: HTTPStatus
    /// A stable machine-readable code (snake_case by convention).
    public var code: String
    /// A human-readable message.
    public var message: String
    /// Extra response header fields (such as `Allow` or `Retry-After`).
    public var headers: HTTPHeaders

    /// Creates an error response description.
    public init(_ status: HTTPStatus, code: String, message: String, headers: HTTPHeaders = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.headers = headers
    }

    public var description: String { "\(status.code) \(code): \(message)" }

    /// The JSON response for this error.
    public var response: Response {
        var headers = self.headers
        headers.replaceOrAdd(name: "Content-Type", value: "application/json")
        return Response(status: status, headers: headers, body: HTTPError.jsonBody(code: code, message: message))
    }

    /// `{"error":{"code":"...","message":"..."}}` with both strings JSON-escaped.
    public static func jsonBody(code: String, message: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(32 + code.utf8.count + message.utf8.count)
        out.append(contentsOf: #"{"error":{"code":"#.utf8)
        appendJSONString(code, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        appendJSONString(message, to: &out)
        out.append(contentsOf: "}}".utf8)
        return out
    }

    /// Appends `string` as a quoted JSON string (RFC 8259 escaping; non-ASCII kept as UTF-8).
    public static func appendJSONString(_ string: String, to out: inout [UInt8]) {
        let hex: [UInt8] = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in string.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [92, 34])
            case UInt8(ascii: "\\"): out.append(contentsOf: [92, 92])
            case 0x0A: out.append(contentsOf: [92, UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [92, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [92, UInt8(ascii: "t")])
            case 0x08: out.append(contentsOf: [92, UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [92, UInt8(ascii: "f")])
            case 0..<0x20, 0x7F:
                out.append(contentsOf: [92, UInt8(ascii: "u"), 48, 48, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }

    /// The response for any error: an `HTTPError` as itself, anything else as a 500 `internal_error`
    /// (the error's text is not sent to the client).
    static func response(for error: any Error) -> Response {
        if let error = error as? HTTPError {
            return error.response
        }
        if error is CancellationError {
            return HTTPError(.serviceUnavailable, code: "cancelled", message: "The request was cancelled.").response
        }
        return HTTPError(.internalServerError, code: "internal_error", message: "Internal server error.").response
    }
}
