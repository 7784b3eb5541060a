import JSON

/// Reads typed members of a JSON object, naming the key path on every error and rejecting unknown keys.
package struct ObjectReader {
    package let path: String
    package let members: [(key: String, value: JSONValue)]
    package private(set) var used: Set<String> = []

    package init(_ value: JSONValue, path: String) throws(ConfigurationError) {
        guard case .object(let members) = value else {
            throw ConfigurationError(path: path, "expected object, got \(value.typeName)")
        }
        self.path = path
        self.members = members
    }

    package func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    package mutating func value(_ key: String) -> JSONValue? {
        used.insert(key)
        return members.first { $0.key == key }?.value
    }

    package mutating func int(_ key: String, _ range: ClosedRange<Int>, default fallback: Int)
        throws(ConfigurationError) -> Int
    {
        guard let v = value(key) else { return fallback }
        guard case .number(let n) = v, let i = n.int, range.contains(i) else {
            throw ConfigurationError(path: child(key), "expected integer \(range.lowerBound)...\(range.upperBound)")
        }
        return i
    }

    package mutating func double(
        _ key: String, _ range: ClosedRange<Double>, default fallback: Double
    ) throws(ConfigurationError) -> Double {
        guard let v = value(key) else { return fallback }
        guard case .number(let n) = v, range.contains(n.double) else {
            throw ConfigurationError(path: child(key), "expected number \(range.lowerBound)...\(range.upperBound)")
        }
        return n.double
    }

    package mutating func bool(_ key: String, default fallback: Bool) throws(ConfigurationError) -> Bool {
        guard let v = value(key) else { return fallback }
        guard case .bool(let b) = v else { throw ConfigurationError(path: child(key), "expected boolean") }
        return b
    }

    package mutating func string(_ key: String) throws(ConfigurationError) -> String? {
        guard let v = value(key), v != .null else { return nil }
        guard case .string(let s) = v else { throw ConfigurationError(path: child(key), "expected string") }
        return s
    }

    package mutating func string(_ key: String, oneOf choices: [String], default fallback: String)
        throws(ConfigurationError)
        -> String
    {
        guard let s = try string(key) else { return fallback }
        guard choices.contains(s) else {
            throw ConfigurationError(path: child(key), "expected one of \(choices.joined(separator: ", "))")
        }
        return s
    }

    package mutating func strings(_ key: String) throws(ConfigurationError) -> [String] {
        guard let v = value(key), v != .null else { return [] }
        guard case .array(let items) = v else {
            throw ConfigurationError(path: child(key), "expected array of strings")
        }
        var result: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw ConfigurationError(path: "\(child(key))[\(i)]", "expected string")
            }
            result.append(s)
        }
        return result
    }

    package mutating func object(_ key: String) throws(ConfigurationError) -> ObjectReader? {
        guard let v = value(key), v != .null else { return nil }
        return try ObjectReader(v, path: child(key))
    }

    /// Throws for the first member not read.
    package func finish() throws(ConfigurationError) {
        for member in members where !used.contains(member.key) {
            throw ConfigurationError(path: child(member.key), "unknown key")
        }
    }
}
