import Foundation

/// SentencePiece's compiled normalization rules (`precompiled_charsmap` of a `Precompiled` normalizer, as in
/// XLM-R, T5 and ALBERT `tokenizer.json` files): a Darts double-array trie over UTF-8 keys whose leaves are offsets
/// into a pool of NUL-terminated replacement strings.
///
/// Layout (little-endian): `UInt32` trie size in bytes, the trie's `UInt32` units, then the string pool. A unit
/// holds a label (`unit & 0x800000FF`), a leaf flag (bit 8), and a child offset (`(unit >> 10) << ((unit & 0x200)
/// >> 6)`); a leaf unit's value is `unit & 0x7FFFFFFF`.
struct PrecompiledCharsMap: Sendable, Equatable {
    /// Why a charsmap cannot be read.
    enum Failure: Error, Equatable {
        case notBase64
        case tooShort(Int)
        case badTrieSize(UInt32, total: Int)
        case poolNotUTF8
    }

    private let units: [UInt32]
    private let pool: [UInt8]
    /// The replacement of each one-byte ASCII string (index = the byte), `nil` when it has none.
    private let ascii: [[Unicode.Scalar]?]

    /// Decodes the base64 `precompiled_charsmap`.
    init(base64: String) throws(Failure) {
        guard let data = Data(base64Encoded: base64) else { throw .notBase64 }
        try self.init(bytes: [UInt8](data))
    }

    /// Reads the binary charsmap.
    init(bytes: [UInt8]) throws(Failure) {
        guard bytes.count >= 8 else { throw .tooShort(bytes.count) }
        let size = UInt32(bytes[0]) | UInt32(bytes[1]) << 8 | UInt32(bytes[2]) << 16 | UInt32(bytes[3]) << 24
        guard size >= 4, size % 4 == 0, Int(size) <= bytes.count - 4 else {
            throw .badTrieSize(size, total: bytes.count)
        }
        var units = [UInt32](repeating: 0, count: Int(size) / 4)
        for index in units.indices {
            let at = 4 + index * 4
            units[index] =
                UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16
                | UInt32(bytes[at + 3]) << 24
        }
        let pool = Array(bytes[(4 + Int(size))...])
        guard String(validating: pool, as: UTF8.self) != nil else { throw .poolNotUTF8 }
        self.units = units
        self.pool = pool
        var ascii: [[Unicode.Scalar]?] = Array(repeating: nil, count: 128)
        let partial = PrecompiledCharsMap(units: units, pool: pool, ascii: ascii)
        for byte in 1..<128 { ascii[byte] = partial.replacement(of: [UInt8(byte)]) }
        self.ascii = ascii
    }

    private init(units: [UInt32], pool: [UInt8], ascii: [[Unicode.Scalar]?]) {
        self.units = units
        self.pool = pool
        self.ascii = ascii
    }

    /// The replacement of one ASCII scalar, `nil` when the rules keep it.
    @inline(__always)
    func replacement(ascii byte: UInt8) -> [Unicode.Scalar]? { ascii[Int(byte)] }

    /// The replacement of a chunk (a grapheme or one scalar), as `tokenizers`' `Precompiled::transform`: the
    /// string of the *first* (shortest) key that is a prefix of `bytes` — which replaces the whole chunk — or
    /// `nil` when no key is.
    func replacement(of bytes: some Collection<UInt8>) -> [Unicode.Scalar]? {
        guard let start = firstMatch(bytes), start < pool.count else { return nil }
        var end = start
        while end < pool.count, pool[end] != 0 { end += 1 }
        return Array(String(decoding: pool[start..<end], as: UTF8.self).unicodeScalars)
    }

    /// The value of the shortest key that is a prefix of `bytes` (Darts' common-prefix search, first result).
    private func firstMatch(_ bytes: some Collection<UInt8>) -> Int? {
        guard let root = units.first else { return nil }
        var position = Int(Self.offset(root))
        for byte in bytes {
            if byte == 0 { return nil }
            position ^= Int(byte)
            guard position < units.count else { return nil }
            let unit = units[position]
            guard unit & 0x8000_00FF == UInt32(byte) else { return nil }
            position ^= Int(Self.offset(unit))
            if (unit >> 8) & 1 == 1 {
                guard position < units.count else { return nil }
                return Int(units[position] & 0x7FFF_FFFF)
            }
        }
        return nil
    }

    @inline(__always)
    private static func offset(_ unit: UInt32) -> UInt32 { (unit >> 10) << ((unit & (1 << 9)) >> 6) }
}

extension PrecompiledCharsMap {
    /// Normalizes `text` as `tokenizers`' `Precompiled` normalizer: grapheme by grapheme (extended grapheme
    /// clusters), a grapheme of fewer than 6 UTF-8 bytes with a replacement is replaced whole; otherwise each of its
    /// scalars is replaced or kept. A replacement of `m` scalars by `n` keeps the first's origin; with `n > m` the
    /// last `n − m` count as inserted, with `n < m` the last change entry so far removes the difference.
    func apply(_ text: inout NormalizedText) {
        var changes: [(scalar: Unicode.Scalar, change: Int)] = []
        changes.reserveCapacity(text.count)
        var modified = false
        let scalars = text.scalars
        if scalars.allSatisfy(\.isASCII) {
            var index = 0
            while index < scalars.count {
                let byte = UInt8(truncatingIfNeeded: scalars[index].value)
                if byte == 0x0D, index + 1 < scalars.count, scalars[index + 1] == "\n" {
                    index += 2  // "\r\n" is one grapheme
                    replaceGrapheme(["\r", "\n"], [0x0D, 0x0A], &changes, &modified)
                    continue
                }
                if let replacement = replacement(ascii: byte) {
                    modified = true
                    Self.replace(&changes, oldCount: 1, with: replacement)
                } else {
                    changes.append((scalars[index], 0))
                }
                index += 1
            }
        } else {
            var bytes: [UInt8] = []
            bytes.reserveCapacity(16)
            var index = 0
            for character in text.string {
                let count = character.unicodeScalars.count
                bytes.removeAll(keepingCapacity: true)
                if count == 1 {  // the grapheme's replacement is its one scalar's
                    let scalar = scalars[index]
                    index += 1
                    let replacement: [Unicode.Scalar]?
                    if scalar.isASCII {
                        replacement = self.replacement(ascii: UInt8(truncatingIfNeeded: scalar.value))
                    } else {
                        UTF8.encode(scalar) { bytes.append($0) }
                        replacement = self.replacement(of: bytes)
                    }
                    if let replacement {
                        modified = true
                        Self.replace(&changes, oldCount: 1, with: replacement)
                    } else {
                        changes.append((scalar, 0))
                    }
                    continue
                }
                bytes.append(contentsOf: character.utf8)
                replaceGrapheme(Array(scalars[index..<(index + count)]), bytes, &changes, &modified)
                index += count
            }
        }
        if modified { text.transform(changes) }
    }

    private func replaceGrapheme(
        _ scalars: [Unicode.Scalar], _ bytes: [UInt8], _ changes: inout [(scalar: Unicode.Scalar, change: Int)],
        _ modified: inout Bool
    ) {
        if bytes.count < 6, let replacement = replacement(of: bytes) {
            modified = true
            Self.replace(&changes, oldCount: scalars.count, with: replacement)
            return
        }
        for scalar in scalars {
            var encoded: [UInt8] = []
            UTF8.encode(scalar) { encoded.append($0) }
            if let replacement = replacement(of: encoded) {
                modified = true
                Self.replace(&changes, oldCount: 1, with: replacement)
            } else {
                changes.append((scalar, 0))
            }
        }
    }

    /// `tokenizers`' `replace(transformations, old_part, new_part)` of the `Precompiled` normalizer.
    private static func replace(
        _ changes: inout [(scalar: Unicode.Scalar, change: Int)], oldCount: Int, with new: [Unicode.Scalar]
    ) {
        let difference = new.count - oldCount
        for scalar in new { changes.append((scalar, 0)) }
        if difference > 0 {
            for index in (changes.count - difference)..<changes.count { changes[index].change = 1 }
        } else if difference < 0, !changes.isEmpty {
            changes[changes.count - 1].change += difference
        }
    }
}
