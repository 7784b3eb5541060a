extension BPEModel {
    /// Ids of the one-character tokens of one word position (e.g. `"##" + c + "</w>"` for a last character),
    /// looked up by the character's scalar value: an array below U+0180 (ASCII, Latin-1 and GPT-2's byte
    /// alphabet), a dictionary above.
    struct CharacterTable: Sendable {
        static let directCount = 0x180
        var direct = [Int32](repeating: -1, count: directCount)
        var others: [UInt32: Int32] = [:]

        /// The id of the token for scalar `value`, or -1.
        @inline(__always)
        func id(_ value: UInt32) -> Int32 {
            if value < Self.directCount { return direct[Int(value)] }
            return others[value] ?? -1
        }

        mutating func set(_ value: UInt32, _ id: Int32) {
            if value < Self.directCount {
                direct[Int(value)] = id
            } else {
                others[value] = id
            }
        }

        /// The four tables (middle, first, last, only character) of a vocabulary.
        static func tables(_ vocabulary: [ExactString: Int32], prefix: String, suffix: String) -> [CharacterTable] {
            var tables = [CharacterTable](repeating: CharacterTable(), count: 4)
            for (key, id) in vocabulary {
                let token = key.string
                for position in 0..<4 {
                    let first = position & 1 == 0 ? prefix : "", last = position & 2 != 0 ? suffix : ""
                    let bytes = Array(token.utf8)
                    guard bytes.count > first.utf8.count + last.utf8.count, bytes.starts(with: first.utf8),
                        bytes.reversed().starts(with: last.utf8.reversed())
                    else { continue }
                    let body = bytes[first.utf8.count..<(bytes.count - last.utf8.count)]
                    let scalars = String(decoding: body, as: UTF8.self).unicodeScalars
                    guard let scalar = scalars.first, scalars.count == 1 else { continue }
                    tables[position].set(scalar.value, id)
                }
            }
            return tables
        }
    }
}
