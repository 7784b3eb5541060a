import AttendCore
import JSON

extension AttendRequest {
    /// `"probes"`: an array of objects with the optional members `name` (string), `mask`, `drop` (arrays of
    /// integers), `replace` (object: position → token string or id), `ablate` (array of `[layer, head]`). A member
    /// of the wrong type, or an unknown one, is a 400 naming its path (`probes[2].replace.3`); what depends on the
    /// model and the sequences is checked in the core (422, ``AttendJob``).
    static func readProbes(_ fields: inout RequestFields, into request: inout AttendRequest) throws {
        guard let value = fields.value("probes") else { return }
        guard case .array(let items) = value else {
            throw RequestError.invalidRequest("\"probes\" must be an array of probe objects, got \(value.typeName)")
        }
        for (k, item) in items.enumerated() {
            let path = "probes[\(k)]"
            guard case .object(let members) = item else {
                throw RequestError.invalidRequest("\"\(path)\" must be an object, got \(item.typeName)")
            }
            var probe = ProbeRequest()
            var seen: Set<String> = []
            for (key, member) in members {
                guard seen.insert(key).inserted else {
                    throw RequestError.invalidRequest("\"\(path)\" holds \"\(key)\" twice")
                }
                let field = "\(path).\(key)"
                switch key {
                case "name":
                    guard case .string(let name) = member else {
                        throw RequestError.invalidRequest("\"\(field)\" must be a string, got \(member.typeName)")
                    }
                    probe.name = name
                case "mask": probe.mask = try integers(member, field)
                case "drop": probe.drop = try integers(member, field)
                case "ablate":
                    guard case .array(let pairs) = member else {
                        throw RequestError.invalidRequest(
                            "\"\(field)\" must be an array of [layer, head] pairs, got \(member.typeName)")
                    }
                    probe.ablate = try pairs.enumerated().map { j, pair in try integers(pair, "\(field)[\(j)]") }
                case "replace":
                    guard case .object(let entries) = member else {
                        throw RequestError.invalidRequest(
                            "\"\(field)\" must be an object of position: token, got \(member.typeName)")
                    }
                    for (position, token) in entries {
                        let entry = "\(field).\(position)"
                        guard let index = Int(position) else {
                            throw RequestError.invalidRequest(
                                "\"\(entry)\": a \"replace\" key is a token position (an integer), got \"\(position)\"")
                        }
                        switch token {
                        case .string(let string):
                            probe.replace.append(.init(key: position, position: index, token: .string(string)))
                        case .number(let n):
                            guard let id = n.int else {
                                throw RequestError.invalidRequest(
                                    "\"\(entry)\" must be a token string or an integer id")
                            }
                            probe.replace.append(.init(key: position, position: index, token: .id(id)))
                        default:
                            throw RequestError.invalidRequest(
                                "\"\(entry)\" must be a token string or an integer id, got \(token.typeName)")
                        }
                    }
                default:
                    throw RequestError.invalidRequest(
                        "\"\(path)\" has an unknown member \"\(key)\" (allowed: name, mask, replace, drop, ablate)")
                }
            }
            request.probes.append(probe)
        }
    }

    /// An array of integers at `field` (400 otherwise).
    private static func integers(_ value: JSONValue, _ field: String) throws -> [Int] {
        guard case .array(let items) = value else {
            throw RequestError.invalidRequest("\"\(field)\" must be an array of integers, got \(value.typeName)")
        }
        return try items.enumerated().map { j, item in
            guard case .number(let n) = item, let i = n.int else {
                throw RequestError.invalidRequest("\"\(field)[\(j)]\" must be an integer")
            }
            return i
        }
    }
}
