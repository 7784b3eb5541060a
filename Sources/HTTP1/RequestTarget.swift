/// Splitting of request-targets into path and query (RFC 9112 §3.2).
enum RequestTarget {
    /// Splits an origin-form, absolute-form or asterisk-form target; forms that do not fit give the whole
    /// target as the path.
    static func split(_ target: String) -> (path: String, query: String?) {
        var utf8 = Array(target.utf8)
        return utf8.withUnsafeMutableBufferPointer { buffer in
            let bytes = UnsafeBufferPointer(buffer)
            let parts = split(bytes) ?? (0..<bytes.count, nil)
            let path = parts.path.isEmpty ? "/" : String(decoding: bytes[parts.path], as: UTF8.self)
            let query = parts.query.map { String(decoding: bytes[$0], as: UTF8.self) }
            return (path, query)
        }
    }

    /// The byte ranges of path and query in an origin-form, absolute-form (http/https) or `*` target, or nil
    /// when the target is none of these. An empty path range means `/` (absolute-form without a path).
    static func split(_ bytes: UnsafeBufferPointer<UInt8>) -> (path: Range<Int>, query: Range<Int>?)? {
        guard let first = bytes.first else { return nil }
        var pathStart = 0
        if first == ASCII.slash {
            pathStart = 0
        } else if bytes.count == 1, first == UInt8(ascii: "*") {
            return (0..<1, nil)
        } else {
            // absolute-form: http(s)://authority[path][?query]
            guard let authorityStart = schemeEnd(bytes) else { return nil }
            var index = authorityStart
            while index < bytes.count, bytes[index] != ASCII.slash, bytes[index] != ASCII.question {
                index += 1
            }
            if index == authorityStart { return nil }  // empty authority
            pathStart = index
        }
        var index = pathStart
        while index < bytes.count, bytes[index] != ASCII.question {
            index += 1
        }
        let path = pathStart..<index
        let query = index < bytes.count ? (index + 1)..<bytes.count : nil
        return (path, query)
    }

    /// The index after `http://` or `https://` (scheme case-insensitive), or nil.
    private static func schemeEnd(_ bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        for scheme in ["http://", "https://"] {
            let count = scheme.utf8.count
            if bytes.count > count, ASCII.equalsIgnoringCase(bytes[0..<count], scheme.utf8) {
                return count
            }
        }
        return nil
    }
}
