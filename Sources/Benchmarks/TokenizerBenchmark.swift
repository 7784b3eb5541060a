import Foundation
import Transformer

/// `attend bench --tokenizers`: tokens/s of the subword models (one thread) on the subword corpus repeated, each
/// behind the pre-split its fixture was recorded with — GPT-2's ByteLevel split for byte-level BPE, `Whitespace`
/// (`\w+|[^\w\s]+`) for classic BPE, Metaspace (`▁`, prepended, split before each `▁`) for Unigram — the work
/// `scripts/bench-tokenizers` times in Python `tokenizers` (`encode` per line, no normalizer or post-processor).
/// Then the full pipeline of each `tokenizer.json` kind (normalizer, added tokens, pre-tokenizer, model,
/// post-processor and offsets: ``HuggingFaceTokenizer/encode(_:addSpecialTokens:)`` as the service calls it) on the
/// same lines, next to `tokenizers`' `Tokenizer.encode` of the same files.
public enum TokenizerBenchmark {
    /// One kind's figure.
    public struct Row: Sendable {
        public var kind: String
        public var tokens: Int
        public var seconds: Double
        public var passes: Int
        /// Millions of tokens per second.
        public var megaTokensPerSecond: Double { Double(tokens) / seconds / 1e6 }
    }

    /// The figures of one run.
    public struct Report: Sendable {
        public var lines: Int
        public var rows: [Row]
        /// The full `tokenizer.json` pipelines.
        public var pipelines: [Row] = []

        /// A printable table.
        public var table: String {
            var text = "swift subword models, 1 thread, \(lines) lines per pass\n"
            for row in rows {
                text += row.kind.padding(toLength: 17, withPad: " ", startingAt: 0)
                text += String(
                    format: "%8.3f M tokens/s  (%d passes, %.2f s)\n", row.megaTokensPerSecond, row.passes,
                    row.seconds)
            }
            text += "swift tokenizer.json full pipeline (encode with special tokens and offsets), 1 thread\n"
            for row in pipelines {
                text += row.kind.padding(toLength: 17, withPad: " ", startingAt: 0)
                text += String(
                    format: "%8.3f M tokens/s  (%d passes, %.2f s)\n", row.megaTokensPerSecond, row.passes,
                    row.seconds)
            }
            return text
        }
    }

    /// Times each kind on `fixtures` (`Tests/TransformerTests/Fixtures/tokenizers`): the corpus `repeat` times per
    /// pass, passes until `seconds` have passed (at least one, at most 1000).
    public static func run(fixtures: String, repeat count: Int = 20, seconds: Double = 2) throws -> Report {
        let corpus = try String(contentsOfFile: fixtures + "/subword-corpus.txt", encoding: .utf8)
        let lines = Array(
            repeating: corpus.split(separator: "\n", omittingEmptySubsequences: false).dropLast(),
            count: max(1, count)
        ).flatMap { $0.map(String.init) }
        let bpe = try models(fixtures + "/subword/bpe.json")
        let unigram = try models(fixtures + "/subword/unigram.json")
        let byteLevel = try BPEModel(json: try model(bpe, "byte-level"))
        let classic = try BPEModel(json: try model(bpe, "classic"))
        let pieces = try UnigramModel(json: try model(unigram, "unigram"))
        let rows = [
            time("byte-level BPE", lines, seconds) { line in
                var count = 0
                let bytes = Array(line.utf8)
                for range in ByteLevelSplitter.split(line) {
                    count += byteLevel.tokenize(ByteLevelAlphabet.encode(bytes[range])).count
                }
                return count
            },
            time("classic BPE", lines, seconds) { line in
                whitespaceSplit(line).reduce(0) { $0 + classic.tokenize($1).count }
            },
            time("Unigram", lines, seconds) { line in
                metaspaceSplit(line).reduce(0) { $0 + pieces.tokenize($1).count }
            },
        ]
        var pipelines: [Row] = []
        for (kind, folder) in pipelineKinds {
            let tokenizer = try HuggingFaceTokenizer(file: fixtures + "/" + folder + "/tokenizer.json")
            pipelines.append(time(kind, lines, seconds) { tokenizer.encode($0, addSpecialTokens: true).count })
        }
        return Report(lines: lines.count, rows: rows, pipelines: pipelines)
    }

    /// The `tokenizer.json` fixtures timed whole: (name, folder under the fixtures).
    public static let pipelineKinds = [
        ("WordPiece (BERT)", "wordpiece"), ("byte-level BPE", "bytebpe"), ("Unigram+Metaspace", "unigram"),
        ("Precompiled XLM-R", "precompiled"), ("BPE mixed", "mixed"),
    ]

    private static func models(_ path: String) throws -> [String: Any] {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TransformerError.invalidHeader(file: path, detail: "not a JSON object")
        }
        return object
    }

    private static func model(_ variants: [String: Any], _ name: String) throws -> [String: Any] {
        guard let variant = variants[name] as? [String: Any], let model = variant["model"] as? [String: Any] else {
            throw TransformerError.invalidConfiguration(field: name, reason: "no such fixture variant")
        }
        return model
    }

    private static func time(_ kind: String, _ lines: [String], _ seconds: Double, _ body: (String) -> Int) -> Row {
        var tokens = 0, passes = 0
        let start = DispatchTime.now().uptimeNanoseconds
        var elapsed = 0.0
        while passes < 1000 && (passes == 0 || elapsed < seconds) {
            for line in lines { tokens += body(line) }
            passes += 1
            elapsed = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        }
        return Row(kind: kind, tokens: tokens, seconds: elapsed, passes: passes)
    }

    /// `Whitespace`'s `\w+|[^\w\s]+` pieces (`\w`: alphabetic, marks, decimal digits, connector punctuation).
    static func whitespaceSplit(_ line: String) -> [String] {
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        var currentIsWord = false
        for scalar in line.unicodeScalars {
            let properties = scalar.properties
            if properties.isWhitespace {
                if !current.isEmpty { pieces.append(String(current)) }
                current = String.UnicodeScalarView()
                continue
            }
            let category = properties.generalCategory
            let isWord =
                properties.isAlphabetic || properties.isJoinControl || category == .decimalNumber
                || category == .connectorPunctuation || category == .nonspacingMark || category == .spacingMark
                || category == .enclosingMark
            if !current.isEmpty && isWord != currentIsWord {
                pieces.append(String(current))
                current = String.UnicodeScalarView()
            }
            currentIsWord = isWord
            current.append(scalar)
        }
        if !current.isEmpty { pieces.append(String(current)) }
        return pieces
    }

    /// Metaspace's pieces: spaces become `▁`, one `▁` is prepended unless the text then starts with one, and each
    /// `▁` starts a piece (`MergedWithNext`).
    static func metaspaceSplit(_ line: String) -> [String] {
        let mark: Unicode.Scalar = "\u{2581}"
        var pieces: [String] = []
        var current = String.UnicodeScalarView()
        let first = line.unicodeScalars.first
        if first != mark && first != " " { current.append(mark) }
        for scalar in line.unicodeScalars {
            let mapped = scalar == " " ? mark : scalar
            if mapped == mark && !current.isEmpty {
                pieces.append(String(current))
                current = String.UnicodeScalarView()
            }
            current.append(mapped)
        }
        if !current.isEmpty { pieces.append(String(current)) }
        return pieces
    }
}
