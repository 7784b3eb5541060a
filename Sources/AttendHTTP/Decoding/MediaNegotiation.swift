import AttendCore

/// Which format `POST /attend` answers in (README "Binary output"): the body's `"format"` when given, else the
/// `Accept` header's preference; either way the `Accept` header must allow the chosen type (else 406).
enum MediaNegotiation {
    /// The types `/attend` answers in, JSON first (the default and the tie-breaker).
    static let supported: [ResponseForm.Format] = [.json, .safetensors]

    /// The format for an explicit `"format"` (nil when absent) and an `Accept` value (nil or blank = anything).
    static func choose(explicit: ResponseForm.Format?, accept: String?) throws(RequestError) -> ResponseForm.Format {
        let accept = accept?.trimmingASCIISpaces ?? ""
        guard !accept.isEmpty else { return explicit ?? .json }
        let ranges = parse(accept)
        let quality = { (format: ResponseForm.Format) in Self.quality(of: format.mediaType, in: ranges) }
        let names = supported.map(\.mediaType).joined(separator: " or ")
        if let explicit {
            guard quality(explicit) > 0 else {
                throw .notAcceptable(
                    "\"format\": \"\(explicit.rawValue)\" answers \(explicit.mediaType), which Accept: \(accept) "
                        + "does not allow; this endpoint answers \(names)")
            }
            return explicit
        }
        let best = supported.max { quality($0) < quality($1) }!  // the first of equals: JSON on a tie
        guard quality(best) > 0 else {
            throw .notAcceptable("Accept: \(accept) allows none of the types this endpoint answers: \(names)")
        }
        return best
    }

    /// One media range of an `Accept` value with its weight.
    struct Range: Equatable {
        var type: String
        var subtype: String
        var q: Double
    }

    /// `type/subtype;q=x, ...` (RFC 9110 §12.5.1); parameters other than q are ignored, a malformed q counts as 1.
    static func parse(_ accept: String) -> [Range] {
        accept.split(separator: ",").compactMap { element in
            let parts = element.split(separator: ";")
            guard let range = parts.first?.trimmingASCIISpaces.lowercased(), !range.isEmpty else { return nil }
            let halves = range.split(separator: "/", maxSplits: 1).map { String($0).trimmingASCIISpaces }
            guard halves.count == 2 else { return nil }
            var q = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.split(separator: "=", maxSplits: 1).map { String($0).trimmingASCIISpaces }
                if pair.count == 2, pair[0].lowercased() == "q", let value = Double(pair[1]), value >= 0, value <= 1 {
                    q = value
                }
            }
            return Range(type: halves[0], subtype: halves[1], q: q)
        }
    }

    /// The weight of `mediaType` (lowercase `type/subtype`): that of the most specific matching range, 0 when
    /// none matches.
    static func quality(of mediaType: String, in ranges: [Range]) -> Double {
        let halves = mediaType.split(separator: "/", maxSplits: 1).map(String.init)
        var best: (specificity: Int, q: Double) = (-1, 0)
        for r in ranges {
            let specificity: Int
            if r.type == halves[0] && r.subtype == halves[1] {
                specificity = 2
            } else if r.type == halves[0] && r.subtype == "*" {
                specificity = 1
            } else if r.type == "*" && r.subtype == "*" {
                specificity = 0
            } else {
                continue
            }
            if specificity > best.specificity || (specificity == best.specificity && r.q > best.q) {
                best = (specificity, r.q)
            }
        }
        return best.q
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    fileprivate var trimmingASCIISpaces: String {
        var s = Substring(self)
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}
