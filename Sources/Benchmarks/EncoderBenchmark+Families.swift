import Foundation
import Transformer

// Public API only (EncoderConfiguration, Encoder, EncoderBenchmark.run).

extension EncoderBenchmark {
    /// One family's forward-pass speed at the benchmark shape, next to BERT's.
    public struct FamilyRow: Sendable, Equatable {
        /// The family (``ModelFamily`` raw value).
        public var family: String
        /// The architecture switches the family sets, for the table.
        public var switches: String
        /// Median GFLOP/s (``Encoder/flops(lengths:)`` / median wall time), without maps.
        public var gigaflopsPerSecond: Double
        /// GFLOP/s of the best pass.
        public var bestGigaflopsPerSecond: Double
        /// `gigaflopsPerSecond` / BERT's.
        public var ratioToBERT: Double
    }

    /// The encoder configuration of `family` at `base`'s sizes (the switches ``CheckpointLoader`` sets for its
    /// checkpoints): RoBERTa/XLM-R position offset 2 and one token type, DistilBERT no token types, GPT-2 pre-LN,
    /// causal, no embedding LayerNorm, tanh GELU, no token types; ModernBERT pre-LN, rotary (θ 160 000 global,
    /// 10 000 local), local window 128 with every third layer global, GeGLU (W₁ [2f, d]), no token types.
    public static func configuration(of family: ModelFamily, base: EncoderConfiguration) -> EncoderConfiguration {
        var c = base
        switch family {
        case .bert: break
        case .roberta, .xlmRoberta:
            c.positionOffset = 2
            c.typeVocabularySize = 1
        case .distilbert:
            c.typeVocabularySize = 0
        case .gpt2:
            c.typeVocabularySize = 0
            c.normPlacement = .pre
            c.causal = true
            c.embeddingNorm = false
            c.activation = .geluTanh
        case .modernbert:
            c.typeVocabularySize = 0
            c.normPlacement = .pre
            c.positionalEncoding = .rotary
            c.ropeTheta = 160_000
            c.localAttention = 128
            c.globalAttentionEvery = 3
            c.gatedFeedForward = true
            c.firstAttentionNorm = false
            c.layerNormEpsilon = 1e-5
        }
        return c
    }

    /// Times a seeded encoder of every family at `base`'s sizes (default MiniLM-L6's) on one `batch` × `length`
    /// shape, without maps, all in one run so the ratios to BERT share the machine's load.
    public static func familyCosts(
        base: EncoderConfiguration = EncoderConfiguration(), batch: Int = 8, length: Int = 128, seconds: Double = 2
    ) throws(TransformerError) -> [FamilyRow] {
        var rows: [FamilyRow] = []
        var bert = 0.0
        for family in ModelFamily.allCases {
            let c = configuration(of: family, base: base)
            let encoder = try Encoder.seeded(c)
            let report = try run(encoder, shapes: [(batch, length)], seconds: seconds)
            guard let row = report.rows.first(where: { !$0.maps }) else { continue }
            if family == .bert { bert = row.gigaflopsPerSecond }
            var switches: [String] = []
            if c.positionOffset > 0 { switches.append("position_offset \(c.positionOffset)") }
            if c.typeVocabularySize == 0 { switches.append("no types") }
            if c.normPlacement == .pre { switches.append("pre-LN") }
            if c.causal { switches.append("causal") }
            if !c.embeddingNorm { switches.append("no embedding LN") }
            if c.positionalEncoding == .rotary { switches.append("rotary") }
            if c.localAttention > 0 {
                switches.append("local \(c.localAttention) (global every \(c.globalAttentionEvery))")
            }
            if c.gatedFeedForward { switches.append("GeGLU") }
            let best =
                encoder.flops(lengths: Array(repeating: length, count: batch)) / row.bestMillisecondsPerPass / 1e6
            rows.append(
                FamilyRow(
                    family: family.rawValue, switches: switches.isEmpty ? "post-LN" : switches.joined(separator: ", "),
                    gigaflopsPerSecond: row.gigaflopsPerSecond, bestGigaflopsPerSecond: best,
                    ratioToBERT: bert > 0 ? row.gigaflopsPerSecond / bert : 0))
        }
        return rows
    }

    /// A text table of ``familyCosts(base:batch:length:seconds:)``.
    public static func familyTable(_ rows: [FamilyRow], batch: Int, length: Int) -> String {
        var lines = [
            "families at \(batch)x\(length), no maps (seeded, same sizes, same packed kernels):",
            "family".padding(toLength: 13, withPad: " ", startingAt: 0) + "GFLOP/s  best     vs bert  switches",
        ]
        for r in rows {
            lines.append(
                r.family.padding(toLength: 13, withPad: " ", startingAt: 0)
                    + String(
                        format: "%-8.1f %-8.1f %-8.3f ", r.gigaflopsPerSecond, r.bestGigaflopsPerSecond, r.ratioToBERT)
                    + r.switches)
        }
        return lines.joined(separator: "\n")
    }
}
