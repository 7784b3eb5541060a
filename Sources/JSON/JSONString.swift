/// The one JSON string escaper (RFC 8259 §7) and the one error envelope every layer answers with.
///
/// Quotes and backslashes are escaped, control characters use their short forms (`\b \t \n \f \r`) or `\u00XX`,
/// DEL (0x7F) is written `\u007f` so logs and terminals never see it raw; everything else, non-ASCII included,
/// is copied as UTF-8.
public enum JSONString {
    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    /// The escaped bytes of one UTF-8 code unit, or nil when it is copied as it is.
    @inline(__always)
    static func escape(_ byte: UInt8) -> (count: Int, bytes: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8))? {
        let backslash: UInt8 = 0x5C
        switch byte {
        case 0x22: return (2, (backslash, 0x22, 0, 0, 0, 0))
        case 0x5C: return (2, (backslash, backslash, 0, 0, 0, 0))
        case 0x08: return (2, (backslash, UInt8(ascii: "b"), 0, 0, 0, 0))
        case 0x09: return (2, (backslash, UInt8(ascii: "t"), 0, 0, 0, 0))
        case 0x0A: return (2, (backslash, UInt8(ascii: "n"), 0, 0, 0, 0))
        case 0x0C: return (2, (backslash, UInt8(ascii: "f"), 0, 0, 0, 0))
        case 0x0D: return (2, (backslash, UInt8(ascii: "r"), 0, 0, 0, 0))
        case 0..<0x20, 0x7F:
            return (6, (backslash, UInt8(ascii: "u"), 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]))
        default: return nil
        }
    }

    /// Appends `string` quoted and escaped.
    public static func append(_ string: String, to out: inout [UInt8]) {
        out.append(0x22)
        for byte in string.utf8 {
            if let e = escape(byte) {
                withUnsafeBytes(of: e.bytes) { out.append(contentsOf: $0.prefix(e.count)) }
            } else {
                out.append(byte)
            }
        }
        out.append(0x22)
    }

    /// `string` quoted and escaped.
    public static func quoted(_ string: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(string.utf8.count + 2)
        append(string, to: &out)
        return out
    }

    /// The error envelope `{"error":{"code":"...","message":"..."}}`, with `extra` members (already encoded
    /// JSON values, keyed) appended inside `"error"` in order.
    public static func errorBody(code: String, message: String, extra: [(key: String, json: [UInt8])] = []) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(40 + code.utf8.count + message.utf8.count)
        out.append(contentsOf: #"{"error":{"code":"#.utf8)
        append(code, to: &out)
        out.append(contentsOf: #","message":"#.utf8)
        append(message, to: &out)
        for member in extra {
            out.append(0x2C)
            append(member.key, to: &out)
            out.append(0x3A)
            out.append(contentsOf: member.json)
        }
        out.append(contentsOf: "}}".utf8)
        return out
    }
}
