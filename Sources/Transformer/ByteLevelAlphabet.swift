/// GPT-2's reversible byte ↔ character map (`bytes_to_unicode`): the 188 printable Latin-1 bytes (`!`…`~`,
/// `¡`…`¬`, `®`…`ÿ`) stand for themselves, the other 68 bytes for U+0100, U+0101, … in byte order.
public enum ByteLevelAlphabet {
    /// The character of each byte, as a Unicode scalar value.
    static let scalars: [UInt32] = {
        var table = [UInt32](repeating: 0, count: 256)
        var next: UInt32 = 256
        for byte in 0..<256 {
            let printable = (0x21...0x7E).contains(byte) || (0xA1...0xAC).contains(byte) || (0xAE...0xFF).contains(byte)
            if printable {
                table[byte] = UInt32(byte)
            } else {
                table[byte] = next
                next += 1
            }
        }
        return table
    }()

    /// The character of each byte.
    static let characters: [Unicode.Scalar] = scalars.map { Unicode.Scalar(UInt16($0)) ?? " " }

    /// The UTF-8 encoding of each byte's character, packed little-endian (low byte first) with its length.
    static let utf8: [(packed: UInt16, count: UInt8)] = scalars.map { scalar in
        if scalar < 0x80 { return (UInt16(scalar), 1) }
        let lead = UInt16(0xC0 | (scalar >> 6)), trail = UInt16(0x80 | (scalar & 0x3F))
        return (lead | trail << 8, 2)
    }

    /// The byte of each character U+0000…U+0143 (-1 for characters outside the alphabet).
    static let bytes: [Int16] = {
        var table = [Int16](repeating: -1, count: 0x144)
        for (byte, scalar) in scalars.enumerated() { table[Int(scalar)] = Int16(byte) }
        return table
    }()

    /// Maps every byte to its character: `"hello world"` → `"helloĠworld"`.
    public static func encode(_ bytes: some Sequence<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes { append(byte, to: &out) }
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the UTF-8 encoding of `byte`'s character.
    @inline(__always)
    static func append(_ byte: UInt8, to out: inout [UInt8]) {
        let code = utf8[Int(byte)]
        out.append(UInt8(truncatingIfNeeded: code.packed))
        if code.count == 2 { out.append(UInt8(truncatingIfNeeded: code.packed >> 8)) }
    }

    /// The bytes a byte-level string stands for, or `nil` when it holds a character outside the alphabet.
    public static func decode(_ text: String) -> [UInt8]? {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            let value = Int(scalar.value)
            guard value < bytes.count, bytes[value] >= 0 else { return nil }
            out.append(UInt8(bytes[value]))
        }
        return out
    }
}
