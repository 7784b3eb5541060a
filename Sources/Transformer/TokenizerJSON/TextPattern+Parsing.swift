extension TextPattern {
    /// Reads a `tokenizer.json` pattern object: `{"String": s}` or `{"Regex": r}`; `nil` for an empty string, a
    /// malformed object or a regular expression this matcher does not handle (the caller names it in its error).
    static func parse(json value: Any?) -> TextPattern? {
        guard let object = value as? [String: Any] else { return nil }
        if let literal = object["String"] as? String {
            return literal.isEmpty ? nil : .literal(Array(literal.unicodeScalars))
        }
        if let regex = object["Regex"] as? String { return parse(regex: regex) }
        return nil
    }

    /// A simple regular expression (see the type's documentation), or `nil`.
    static func parse(regex: String) -> TextPattern? {
        if regex == gpt2Source { return .gpt2 }
        let scalars = Array(regex.unicodeScalars)
        var index = 0
        // A run of literal characters.
        var literal: [Unicode.Scalar] = []
        var allLiteral = true
        while index < scalars.count {
            let scalar = scalars[index]
            if scalar == "\\", index + 1 < scalars.count, let escaped = literalEscape(scalars[index + 1]) {
                literal.append(escaped)
                index += 2
            } else if !"\\.^$|?*+()[]{}".unicodeScalars.contains(scalar) {
                literal.append(scalar)
                index += 1
            } else {
                allLiteral = false
                break
            }
        }
        if allLiteral { return literal.isEmpty ? nil : .literal(literal) }
        // One atom and a quantifier.
        index = 0
        guard let (atom, afterAtom) = parseAtom(scalars, 0) else { return nil }
        index = afterAtom
        var minimum = 1
        var maximum: Int? = 1
        if index < scalars.count {
            switch scalars[index] {
            case "+":
                (minimum, maximum) = (1, nil)
                index += 1
            case "{":
                guard let close = scalars[index...].firstIndex(of: "}") else { return nil }
                let body = String(String.UnicodeScalarView(scalars[(index + 1)..<close]))
                let parts = body.split(separator: ",", omittingEmptySubsequences: false)
                guard let low = Int(parts[0]), parts.count <= 2 else { return nil }
                minimum = low
                maximum = parts.count == 1 ? low : (parts[1].isEmpty ? nil : Int(parts[1]))
                if parts.count == 2, !parts[1].isEmpty, maximum == nil { return nil }
                index = close + 1
            default:
                return nil
            }
        }
        guard index == scalars.count, minimum >= 1, maximum.map({ $0 >= minimum }) ?? true else { return nil }
        return .repeated(atom, minimum: minimum, maximum: maximum)
    }

    private static func literalEscape(_ scalar: Unicode.Scalar) -> Unicode.Scalar? {
        switch scalar {
        case "n": return "\n"
        case "t": return "\t"
        case "r": return "\r"
        default:
            return "\\.^$|?*+()[]{}-/ '\"".unicodeScalars.contains(scalar) ? scalar : nil
        }
    }

    private static func namedClass(_ scalars: [Unicode.Scalar], _ index: Int) -> (ScalarClass.Item, Int)? {
        guard index + 1 < scalars.count, scalars[index] == "\\" else { return nil }
        switch scalars[index + 1] {
        case "s": return (.whitespace, index + 2)
        case "S": return (.not(.whitespace), index + 2)
        case "d": return (.digit, index + 2)
        case "D": return (.not(.digit), index + 2)
        case "w": return (.word, index + 2)
        case "W": return (.not(.word), index + 2)
        case "p", "P":
            let negated = scalars[index + 1] == "P"
            guard index + 5 <= scalars.count, scalars[index + 2] == "{", scalars[index + 4] == "}" else {
                return nil
            }
            switch scalars[index + 3] {
            case "L": return (negated ? .not(.letter) : .letter, index + 5)
            case "N": return (negated ? .not(.number) : .number, index + 5)
            default: return nil
            }
        default:
            guard let escaped = literalEscape(scalars[index + 1]) else { return nil }
            return (.range(escaped.value...escaped.value), index + 2)
        }
    }

    private static func parseAtom(_ scalars: [Unicode.Scalar], _ start: Int) -> (ScalarClass, Int)? {
        guard start < scalars.count else { return nil }
        let scalar = scalars[start]
        if let (item, next) = namedClass(scalars, start) { return (ScalarClass(items: [item]), next) }
        if scalar == "." { return (ScalarClass(items: [.anyButNewline]), start + 1) }
        if scalar != "[" {
            guard !"\\^$|?*+(){}]".unicodeScalars.contains(scalar) else { return nil }
            return (ScalarClass(items: [.range(scalar.value...scalar.value)]), start + 1)
        }
        var index = start + 1
        var characters = ScalarClass(items: [])
        if index < scalars.count, scalars[index] == "^" {
            characters.negated = true
            index += 1
        }
        var first = true
        while index < scalars.count, scalars[index] != "]" || first {
            first = false
            var low: Unicode.Scalar
            if let (item, next) = namedClass(scalars, index) {
                guard case .range(let single) = item else {
                    characters.items.append(item)
                    index = next
                    continue
                }
                low = Unicode.Scalar(single.lowerBound) ?? " "
                index = next
            } else {
                guard scalars[index] != "[" && scalars[index] != "\\" else { return nil }
                low = scalars[index]
                index += 1
            }
            if index + 1 < scalars.count, scalars[index] == "-", scalars[index + 1] != "]" {
                let high = scalars[index + 1]
                guard high != "\\" && high != "[", low.value <= high.value else { return nil }
                characters.items.append(.range(low.value...high.value))
                index += 2
            } else {
                characters.items.append(.range(low.value...low.value))
            }
        }
        guard index < scalars.count, scalars[index] == "]", !characters.items.isEmpty else { return nil }
        return (characters, index + 1)
    }
}
