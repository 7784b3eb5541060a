// Shape legend: see Encoder.swift (n, d, V, L); m = rows the head is applied to, k = predictions kept per row.

import CBLAS
import Foundation

/// A BERT masked-language-model head (`BertForMaskedLM`'s `cls.predictions`): hidden state → a score per
/// vocabulary entry.
///
///     t      [m, d] = LayerNorm(act(h [m, d] · Wᵀ + b))        transform.dense, config's hidden_act, transform.LayerNorm
///     logits [m, V] = t · Eᵀ + bias                           decoder.weight E [V, d] (the word embeddings when tied)
///
/// Loaded from the checkpoint's `cls.predictions.*` tensors (``load(file:configuration:longestTokenBytes:)``):
/// `transform.dense.weight` [d, d] and `.bias`, `transform.LayerNorm.weight`/`.bias` (or `gamma`/`beta`),
/// `decoder.weight` [V, d] — absent when it is tied to `embeddings.word_embeddings.weight`, as transformers saves
/// a tied head; then the encoder's table is used in place — and `decoder.bias` (what `BertForMaskedLM` adds; tied to
/// `predictions.bias` and absent from a tied checkpoint, then `predictions.bias`) [V].
public struct MaskedLMHead: Sendable {
    /// transform.dense [d, d] as `[out, in]`, and its bias [d].
    let denseWeight: [Float]
    let denseBias: [Float]
    /// transform.LayerNorm γ, β [d].
    let normWeight: [Float]
    let normBias: [Float]
    /// The decoder [V, d], or nil when tied to the encoder's word embeddings.
    let decoderWeight: [Float]?
    /// The decoder bias [V].
    let decoderBias: [Float]
    let activation: Activation
    let epsilon: Float
    let hiddenSize: Int
    let vocabularySize: Int
    /// The UTF-8 length of the vocabulary's longest token (sizes answers that name predicted tokens).
    public let longestTokenBytes: Int

    /// Whether the decoder is the encoder's word-embedding table.
    public var tied: Bool { decoderWeight == nil }

    /// The head of the checkpoint folder's `model.safetensors`, or nil when it has no
    /// `cls.predictions.transform.dense.weight` (not a `BertForMaskedLM` checkpoint).
    public static func load(
        directory: String, configuration: EncoderConfiguration, tokenizer: any Tokenizer
    ) throws(TransformerError) -> MaskedLMHead? {
        var longest = 0
        for id in 0..<tokenizer.vocabularySize {
            longest = Swift.max(longest, tokenizer.token(for: Int32(id))?.utf8.count ?? 0)
        }
        return try load(
            file: SafetensorsFile(path: CheckpointFiles.join(directory, "model.safetensors")),
            configuration: configuration, longestTokenBytes: longest)
    }

    /// The head in `file` (names with or without nothing before `cls.`), or nil without its dense weight. Throws
    /// `.missingTensor`, `.shapeMismatch`, `.unsupportedDType` or `.nonFiniteWeight` naming the tensor.
    public static func load(
        file: SafetensorsFile, configuration c: EncoderConfiguration, longestTokenBytes: Int = 0
    ) throws(TransformerError) -> MaskedLMHead? {
        let base = "cls.predictions."
        guard file.entries[base + "transform.dense.weight"] != nil else { return nil }
        let d = c.hiddenSize
        let v = c.vocabularySize
        func read(_ names: [String], shape: [Int]) throws(TransformerError) -> [Float] {
            guard let name = names.map({ base + $0 }).first(where: { file.entries[$0] != nil }) else {
                throw .missingTensor(file: file.path, tensor: base + names[0])
            }
            let values = try file.tensor(name, shape: shape).storage
            if let bad = values.firstIndex(where: { !$0.isFinite }) {
                throw .nonFiniteWeight(file: file.path, tensor: name, index: bad)
            }
            return values
        }
        var decoder: [Float]?
        if file.entries[base + "decoder.weight"] != nil { decoder = try read(["decoder.weight"], shape: [v, d]) }
        return MaskedLMHead(
            denseWeight: try read(["transform.dense.weight"], shape: [d, d]),
            denseBias: try read(["transform.dense.bias"], shape: [d]),
            normWeight: try read(["transform.LayerNorm.weight", "transform.LayerNorm.gamma"], shape: [d]),
            normBias: try read(["transform.LayerNorm.bias", "transform.LayerNorm.beta"], shape: [d]),
            decoderWeight: decoder, decoderBias: try read(["decoder.bias", "bias"], shape: [v]),
            activation: c.activation, epsilon: c.layerNormEpsilon, hiddenSize: d, vocabularySize: v,
            longestTokenBytes: longestTokenBytes)
    }

    /// Float parameters the head holds besides a tied decoder (4 bytes each).
    public var parameterCount: Int {
        denseWeight.count + denseBias.count + normWeight.count + normBias.count + (decoderWeight?.count ?? 0)
            + decoderBias.count
    }

    /// Logits [rows.count, V] of `rows` of `hidden` [n, d] (a hidden state of `encoder`, whose word embeddings a
    /// tied head reads). Rows outside `0..<n` are skipped.
    public func logits(_ hidden: Tensor, rows: [Int], encoder: Encoder) -> Tensor {
        let d = hiddenSize
        let v = vocabularySize
        let n = hidden.shape.first ?? 0
        let rows = rows.filter { $0 >= 0 && $0 < n }
        let m = rows.count
        guard m > 0, hidden.shape.count == 2, hidden.shape[1] == d else { return Tensor(zeros: [m, v]) }
        // x [m, d]: the rows, then t [m, d] = LN(act(x · Wᵀ + b)).
        var x = [Float](repeating: 0, count: m * d)
        for (r, row) in rows.enumerated() {
            for j in 0..<d { x[r * d + j] = hidden.storage[row * d + j] }
        }
        var t = [Float](repeating: 0, count: m * d)
        for r in 0..<m { for j in 0..<d { t[r * d + j] = denseBias[j] } }
        cblas_sgemm(
            CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(d), Int32(d), 1, x, Int32(d), denseWeight,
            Int32(d), 1, &t, Int32(d))
        t.withUnsafeMutableBufferPointer { t in
            normWeight.withUnsafeBufferPointer { gamma in
                normBias.withUnsafeBufferPointer { beta in
                    for r in 0..<m {
                        let row = t.baseAddress! + r * d
                        Kernels.activate(row, count: d, activation: activation)
                        Kernels.layerNorm(
                            row, count: d, gamma: gamma.baseAddress!, beta: beta.baseAddress!, epsilon: epsilon)
                    }
                }
            }
        }
        // logits [m, V] = t [m, d] · Eᵀ [d, V] + bias
        var out = [Float](repeating: 0, count: m * v)
        for r in 0..<m { for j in 0..<v { out[r * v + j] = decoderBias[j] } }
        if let decoderWeight {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(v), Int32(d), 1, t, Int32(d), decoderWeight,
                Int32(d), 1, &out, Int32(v))
        } else {
            cblas_sgemm(
                CblasRowMajor, CblasNoTrans, CblasTrans, Int32(m), Int32(v), Int32(d), 1, t, Int32(d),
                encoder.parameters.wordEmbeddings, Int32(d), 1, &out, Int32(v))
        }
        return Tensor(shape: [m, v], storage: out)
    }

    /// The `k` most probable entries of each row of `logits` [m, V] under the softmax over the vocabulary
    /// (computed in double, max subtracted), most probable first; ties keep the lower id first.
    public static func top(_ logits: Tensor, k: Int) -> [MaskedPrediction] {
        guard logits.shape.count == 2 else { return [] }
        let (m, v) = (logits.shape[0], logits.shape[1])
        let keep = Swift.max(0, Swift.min(k, v))
        return (0..<m).map { r in
            let row = logits.storage[(r * v)..<((r + 1) * v)]
            let top = row.max() ?? 0
            var total = 0.0
            for value in row { total += Foundation.exp(Double(value - top)) }
            // The k best indexes by insertion (k is small): a later equal value never passes an earlier one.
            var order: [Int] = []
            order.reserveCapacity(keep + 1)
            for j in row.indices where keep > 0 && (order.count < keep || row[j] > row[order[keep - 1]]) {
                var at = order.count
                while at > 0 && row[order[at - 1]] < row[j] { at -= 1 }
                order.insert(j, at: at)
                if order.count > keep { order.removeLast() }
            }
            return MaskedPrediction(
                ids: order.map { Int32($0 - r * v) },
                probabilities: order.map { Float(Foundation.exp(Double(row[$0] - top)) / total) })
        }
    }
}

/// The most probable vocabulary entries at one position: ids, most probable first, and their softmax
/// probabilities over the whole vocabulary.
public struct MaskedPrediction: Sendable, Equatable {
    public var ids: [Int32]
    public var probabilities: [Float]

    /// A prediction from its parts.
    public init(ids: [Int32], probabilities: [Float]) {
        self.ids = ids
        self.probabilities = probabilities
    }
}
