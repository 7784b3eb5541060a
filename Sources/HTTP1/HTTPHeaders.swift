/// An ordered list of HTTP header fields.
///
/// Fields keep the order and the spelling in which they were received or added; duplicates are kept.
/// Lookup by name is ASCII case-insensitive.
public struct HTTPHeaders: Sendable, Equatable {
    /// One header field line.
    public struct Field: Sendable, Equatable {
        /// The field name as received or added.
        public var name: String
        /// The field value, without leading or trailing whitespace.
        public var value: String

        /// Creates a field.
        public init(name: String, value: String) {
            self.name = name
            self.value = value
        }
    }

    /// The fields, in order.
    public private(set) var fields: [Field]

    /// Creates an empty header list.
    public init() {
        fields = []
    }

    /// Creates a header list from `(name, value)` pairs, in order.
    public init(_ pairs: [(String, String)]) {
        fields = pairs.map { Field(name: $0.0, value: $0.1) }
    }

    /// The number of field lines.
    public var count: Int { fields.count }

    /// Whether there are no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// Appends a field, keeping any existing field of the same name.
    public mutating func add(name: String, value: String) {
        fields.append(Field(name: name, value: value))
    }

    /// Replaces every field named `name` by a single field with `value` (at the first one's position),
    /// or appends it when there is none.
    public mutating func replaceOrAdd(name: String, value: String) {
        guard let first = fields.firstIndex(where: { Self.equalsIgnoringCase($0.name, name) }) else {
            add(name: name, value: value)
            return
        }
        fields[first].value = value
        var index = fields.count - 1
        while index > first {
            if Self.equalsIgnoringCase(fields[index].name, name) {
                fields.remove(at: index)
            }
            index -= 1
        }
    }

    /// Removes every field named `name`.
    public mutating func remove(name: String) {
        fields.removeAll { Self.equalsIgnoringCase($0.name, name) }
    }

    /// Whether a field named `name` is present.
    public func contains(name: String) -> Bool {
        fields.contains { Self.equalsIgnoringCase($0.name, name) }
    }

    /// The values of every field named `name`, in order.
    public func values(for name: String) -> [String] {
        fields.lazy.filter { Self.equalsIgnoringCase($0.name, name) }.map(\.value)
    }

    /// The value of the first field named `name`, or nil. Setting replaces every such field (nil removes them).
    public subscript(name: String) -> String? {
        get {
            for field in fields where Self.equalsIgnoringCase(field.name, name) {
                return field.value
            }
            return nil
        }
        set {
            if let newValue {
                replaceOrAdd(name: name, value: newValue)
            } else {
                remove(name: name)
            }
        }
    }

    /// Whether a comma-separated list header (such as `Connection`) contains `token`, ASCII case-insensitively.
    public func containsToken(_ token: String, in name: String) -> Bool {
        for field in fields where Self.equalsIgnoringCase(field.name, name) {
            let value = field.value.utf8
            var elementStart = value.startIndex
            while elementStart <= value.endIndex {
                let elementEnd = value[elementStart...].firstIndex(of: ASCII.comma) ?? value.endIndex
                if ASCII.equalsIgnoringCase(ASCII.trimmed(value[elementStart..<elementEnd]), token.utf8) {
                    return true
                }
                if elementEnd == value.endIndex { break }
                elementStart = value.index(after: elementEnd)
            }
        }
        return false
    }

    /// ASCII case-insensitive comparison of two names.
    static func equalsIgnoringCase(_ lhs: String, _ rhs: String) -> Bool {
        ASCII.equalsIgnoringCase(lhs, rhs)
    }

    mutating func reserveCapacity(_ count: Int) {
        fields.reserveCapacity(count)
    }

    mutating func append(_ field: Field) {
        fields.append(field)
    }
}

extension HTTPHeaders: ExpressibleByDictionaryLiteral {
    /// Creates a header list from a literal, keeping the literal's order.
    public init(dictionaryLiteral elements: (String, String)...) {
        self.init(elements)
    }
}

extension HTTPHeaders: Sequence {
    /// Iterates the fields in order.
    public func makeIterator() -> IndexingIterator<[Field]> {
        fields.makeIterator()
    }
}

extension HTTPHeaders: CustomStringConvertible {
    /// The fields as `name: value` lines.
    public var description: String {
        fields.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
    }
}
