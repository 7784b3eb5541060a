import JSON

/// Typed access to the members of a request's JSON object, answering 400 with the field's name for a wrong
/// type and for members the endpoint does not know.
struct RequestFields {
    let members: [(key: String, value: JSONValue)]
    let schema: RequestSchema
    private var used: Set<String> = []

    init(_ value: JSONValue, schema: RequestSchema) throws(RequestError) {
        guard case .object(let members) = value else {
            throw .invalidRequest("the request body must be a JSON object, got \(value.typeName)")
        }
        self.members = members
        self.schema = schema
    }

    /// Parses a request body of `schema` (400 for anything but a strict JSON object).
    static func parse(_ body: [UInt8], schema: RequestSchema) throws(RequestError) -> RequestFields {
        guard !body.isEmpty else { throw .invalidRequest("the request body is empty; send a JSON object") }
        let value: JSONValue
        do {
            value = try JSONParser(maximumDepth: 32).parse(body)
        } catch {
            throw .invalidJSON("\(error)")
        }
        return try RequestFields(value, schema: schema)
    }

    mutating func value(_ key: String) -> JSONValue? {
        assert(schema.fields.contains(key), "\(key) is not a member of \(schema.rawValue)")
        used.insert(key)
        guard let v = members.first(where: { $0.key == key })?.value else { return nil }
        return v == .null ? nil : v
    }

    mutating func bool(_ key: String, default fallback: Bool) throws(RequestError) -> Bool {
        guard let v = value(key) else { return fallback }
        guard case .bool(let b) = v else { throw .invalidRequest("\"\(key)\" must be a boolean, got \(v.typeName)") }
        return b
    }

    mutating func string(_ key: String) throws(RequestError) -> String? {
        guard let v = value(key) else { return nil }
        guard case .string(let s) = v else { throw .invalidRequest("\"\(key)\" must be a string, got \(v.typeName)") }
        return s
    }

    mutating func int(_ key: String, _ range: ClosedRange<Int>) throws(RequestError) -> Int? {
        guard let v = value(key) else { return nil }
        guard case .number(let n) = v else { throw .invalidRequest("\"\(key)\" must be an integer, got \(v.typeName)") }
        guard let i = n.int else {
            throw .invalidRequest(
                Self.isWhole(n)
                    ? "\"\(key)\" must be in \(range.lowerBound)...\(range.upperBound), got \(n.text) (out of range)"
                    : "\"\(key)\" must be an integer, got a fraction (\(n.text))")
        }
        guard range.contains(i) else {
            throw .invalidRequest("\"\(key)\" must be in \(range.lowerBound)...\(range.upperBound), got \(i)")
        }
        return i
    }

    mutating func ints(_ key: String) throws(RequestError) -> [Int]? {
        guard let v = value(key) else { return nil }
        guard case .array(let items) = v else {
            throw .invalidRequest("\"\(key)\" must be an array of integers, got \(v.typeName)")
        }
        var result: [Int] = []
        for item in items {
            guard case .number(let n) = item else { throw .invalidRequest("\"\(key)\" must be an array of integers") }
            guard let i = n.int else {
                throw .invalidRequest(
                    Self.isWhole(n)
                        ? "\"\(key)\" holds \(n.text), out of range"
                        : "\"\(key)\" must be an array of integers, got a fraction (\(n.text))")
            }
            result.append(i)
        }
        return result
    }

    /// Whether `n` is a whole number (so one that is no `Int` is out of range, not a fraction).
    static func isWhole(_ n: JSONNumber) -> Bool {
        n.isIntegerLiteral || n.double.rounded() == n.double
    }

    /// 400 naming the first member that was never asked for.
    func finish() throws(RequestError) {
        for member in members where !used.contains(member.key) {
            throw .unknownField(member.key)
        }
    }
}
