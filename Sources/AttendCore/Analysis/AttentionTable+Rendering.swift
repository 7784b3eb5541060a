import Foundation

extension AttentionTable {
    /// The table as text for a terminal: the title, a line naming the layer and heads, a header, then one line per
    /// query token: its position and token, then for each rank `position token weight` of the key, columns padded to
    /// their widest cell by display width (``displayWidth(_:)``), no trailing spaces, lines ending in `\n`.
    ///
    /// ```
    /// minilm: "The dog chased the ball because it was fast." (12 tokens)
    /// layer 5 of 0…5, head 11, the 2 largest weights of each row
    ///  #  token   | 1st               | 2nd
    ///  0  [CLS]   |  2 dog      0.491 |  0 [CLS]    0.223
    ///  7  it      |  2 dog      0.627 |  0 [CLS]    0.155
    /// ```
    /// (rows 1–6 and 8–11 left out here).
    /// - Parameter decimals: digits after the point of each weight (clamped to 1…6).
    public func rendered(decimals: Int = 3) -> String {
        let digits = Swift.min(Swift.max(decimals, 1), 6)
        let ranks = rows.reduce(0) { Swift.max($0, $1.targets.count) }
        let indexWidth = String(Swift.max(rows.count - 1, 0)).count
        let tokenWidth = rows.reduce(5) { Swift.max($0, Self.displayWidth($1.token)) }
        let weightWidth = digits + 2
        let cellWidth = indexWidth + 1 + tokenWidth + 2 + weightWidth

        var lines: [String] = []
        if !title.isEmpty { lines.append(title) }
        let which: String
        switch heads {
        case .mean(let count): which = "mean over \(count) head\(count == 1 ? "" : "s")"
        case .head(let index): which = "head \(index)"
        }
        lines.append(
            "layer \(layer) of 0…\(Swift.max(layerCount - 1, 0)), \(which), the \(top) largest weight"
                + "\(top == 1 ? "" : "s") of each row")
        var header = Self.pad("#", indexWidth, right: true) + "  " + Self.pad("token", tokenWidth)
        for rank in 0..<ranks {
            header += " | " + (rank == ranks - 1 ? Self.ordinal(rank + 1) : Self.pad(Self.ordinal(rank + 1), cellWidth))
        }
        lines.append(header)
        for row in rows {
            var line = Self.pad(String(row.index), indexWidth, right: true) + "  " + Self.pad(row.token, tokenWidth)
            for target in row.targets {
                line +=
                    " | " + Self.pad(String(target.index), indexWidth, right: true) + " "
                    + Self.pad(target.token, tokenWidth) + "  " + String(format: "%.\(digits)f", target.weight)
            }
            lines.append(line)
        }
        return lines.map { Self.trimmingTrailingSpaces($0) + "\n" }.joined()
    }

    /// Columns `text` takes in a terminal: one per grapheme cluster (so a letter and its combining accents count
    /// once), two for East Asian wide and full-width characters and the common emoji blocks, none for a cluster
    /// that is only control or zero-width characters.
    public static func displayWidth(_ text: String) -> Int {
        var width = 0
        for character in text {
            guard let first = character.unicodeScalars.first(where: { !isZeroWidth($0) }) else { continue }
            width += isWide(first) ? 2 : 1
        }
        return width
    }

    static func isZeroWidth(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .format, .nonspacingMark, .enclosingMark: return true
        default: return false
        }
    }

    static func isWide(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6, 0x1F300...0x1F64F,
            0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            return true
        default:
            return false
        }
    }

    /// `text` padded with spaces to `width` display columns (on the left when `right`); longer text is unchanged.
    static func pad(_ text: String, _ width: Int, right: Bool = false) -> String {
        let fill = String(repeating: " ", count: Swift.max(width - displayWidth(text), 0))
        return right ? fill + text : text + fill
    }

    /// 1st, 2nd, 3rd, 4th, …, 11th, 12th, 13th, …, 21st.
    static func ordinal(_ n: Int) -> String {
        let suffix: String
        switch (n % 10, n % 100) {
        case (_, 11...13): suffix = "th"
        case (1, _): suffix = "st"
        case (2, _): suffix = "nd"
        case (3, _): suffix = "rd"
        default: suffix = "th"
        }
        return "\(n)\(suffix)"
    }

    static func trimmingTrailingSpaces(_ line: String) -> String {
        var line = line
        while line.last == " " { line.removeLast() }
        return line
    }
}
