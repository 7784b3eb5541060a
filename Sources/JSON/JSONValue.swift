/// A parsed JSON value. Objects keep their members in document order (keys are unique: the parser rejects
/// duplicates), numbers keep both their text and their `Double` value so integers are checked exactly.
public enum JSONValue: Sendable, Equatable {
    case null
    case bool(Bool)
    case number(JSONNumber)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])

    public static func == (lhs: JSONValue, rhs: JSONValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): return true
        case (.bool(let a), .bool(let b)): return a == b
        case (.number(let a), .number(let b)): return a.double == b.double
        case (.string(let a), .string(let b)): return a == b
        case (.array(let a), .array(let b)): return a == b
        case (.object(let a), .object(let b)):
            return a.count == b.count && zip(a, b).allSatisfy { $0.key == $1.key && $0.value == $1.value }
        default: return false
        }
    }

    /// The member named `key` of an object, or nil (also nil when this is not an object).
    public subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// A short name of the value's type, for error messages ("string", "array", ...).
    public var typeName: String {
        switch self {
        case .null: return "null"
        case .bool: return "boolean"
        case .number: return "number"
        case .string: return "string"
        case .array: return "array"
        case .object: return "object"
        }
    }
}

/// A JSON number: its source text and value.
public struct JSONNumber: Sendable, Equatable {
    /// The number exactly as written.
    public var text: String
    /// The value as a `Double` (finite: the grammar has no NaN or Infinity).
    public var double: Double
    /// True when the text has no fraction and no exponent.
    public var isIntegerLiteral: Bool

    public init(text: String, double: Double, isIntegerLiteral: Bool) {
        self.text = text
        self.double = double
        self.isIntegerLiteral = isIntegerLiteral
    }

    /// The value as an `Int` when it is an integer that fits exactly (1.0 and 1e2 count), else nil.
    public var int: Int? {
        if isIntegerLiteral, let v = Int(text) { return v }
        guard double.rounded() == double, abs(double) < 9.0e15 else { return nil }
        return Int(double)
    }
}
