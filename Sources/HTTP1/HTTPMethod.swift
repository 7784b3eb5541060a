/// A request method: a token such as `GET`. Methods are case-sensitive.
public struct HTTPMethod: Sendable, Hashable, RawRepresentable, CustomStringConvertible,
    ExpressibleByStringLiteral
{
    /// The method token.
    public var rawValue: String

    /// Creates a method from its token.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates a method from its token.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates a method from a literal token.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// The method token.
    public var description: String { rawValue }

    /// `GET`
    public static let GET = HTTPMethod("GET")
    /// `HEAD`
    public static let HEAD = HTTPMethod("HEAD")
    /// `POST`
    public static let POST = HTTPMethod("POST")
    /// `PUT`
    public static let PUT = HTTPMethod("PUT")
    /// `DELETE`
    public static let DELETE = HTTPMethod("DELETE")
    /// `CONNECT`
    public static let CONNECT = HTTPMethod("CONNECT")
    /// `OPTIONS`
    public static let OPTIONS = HTTPMethod("OPTIONS")
    /// `TRACE`
    public static let TRACE = HTTPMethod("TRACE")
    /// `PATCH`
    public static let PATCH = HTTPMethod("PATCH")

    /// Decodes a method token, reusing the common constants without allocating.
    static func decode(_ bytes: UnsafeBufferPointer<UInt8>) -> HTTPMethod {
        switch bytes.count {
        case 3:
            if bytes[0] == 71, bytes[1] == 69, bytes[2] == 84 { return .GET }
            if bytes[0] == 80, bytes[1] == 85, bytes[2] == 84 { return .PUT }
        case 4:
            if bytes[0] == 80, bytes[1] == 79, bytes[2] == 83, bytes[3] == 84 { return .POST }
            if bytes[0] == 72, bytes[1] == 69, bytes[2] == 65, bytes[3] == 68 { return .HEAD }
        default:
            break
        }
        return HTTPMethod(String(decoding: bytes, as: UTF8.self))
    }
}
