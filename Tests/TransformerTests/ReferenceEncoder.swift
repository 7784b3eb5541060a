import Foundation

@testable import Transformer

/// A plain, scalar, double-precision encoder written straight from the equations — the independent reference the
/// optimised forward is compared with. Nothing here is shared with the library except the weights.
struct ReferenceEncoder {
    let configuration: EncoderConfiguration
    let weights: EncoderWeights

    struct Result {
        var hiddenStates: [[[Double]]]  // L+1 × [n][d]
        var attentions: [[[[Double]]]]  // L × [H][n][n]
    }

    func run(ids: [Int32], typeIds: [Int32]? = nil) -> Result {
        let c = configuration
        let d = c.hiddenSize
        let n = ids.count
        func vector(_ t: Tensor) -> [Double] { t.storage.map(Double.init) }
        func row(_ t: Tensor, _ i: Int) -> [Double] {
            let width = t.shape[1]
            return (0..<width).map { Double(t.storage[i * width + $0]) }
        }
        func linear(_ x: [[Double]], _ w: Tensor, _ b: Tensor) -> [[Double]] {
            let outputs = w.shape[0]
            let inputs = w.shape[1]
            return x.map { xi in
                (0..<outputs).map { o in
                    var s = Double(b.storage[o])
                    for i in 0..<inputs { s += xi[i] * Double(w.storage[o * inputs + i]) }
                    return s
                }
            }
        }
        func layerNorm(_ x: [[Double]], _ g: Tensor, _ b: Tensor) -> [[Double]] {
            x.map { xi in
                let mean = xi.reduce(0, +) / Double(xi.count)
                let variance = xi.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xi.count)
                let scale = 1 / (variance + Double(c.layerNormEpsilon)).squareRoot()
                return xi.indices.map { (xi[$0] - mean) * scale * Double(g.storage[$0]) + Double(b.storage[$0]) }
            }
        }
        func add(_ a: [[Double]], _ b: [[Double]]) -> [[Double]] {
            zip(a, b).map { zip($0, $1).map { $0 + $1 } }
        }
        func activate(_ v: Double) -> Double {
            switch c.activation {
            case .gelu: return 0.5 * v * (1 + Foundation.erf(v / 2.0.squareRoot()))
            case .geluTanh:
                return 0.5 * v * (1 + Foundation.tanh((2 / Double.pi).squareRoot() * (v + 0.044715 * v * v * v)))
            case .relu: return Swift.max(0, v)
            }
        }

        // Embeddings.
        var x: [[Double]] = (0..<n).map { t in
            var e = row(weights.wordEmbeddings, Int(ids[t]))
            switch c.positionalEncoding {
            case .learned:
                e = zip(e, row(weights.positionEmbeddings!, t)).map { $0 + $1 }
            case .sinusoidal:
                for i in 0..<d {
                    let angle = Double(t) / Foundation.pow(10_000, Double(i - i % 2) / Double(d))
                    e[i] += i % 2 == 0 ? Foundation.sin(angle) : Foundation.cos(angle)
                }
            case .none, .rotary:
                break
            }
            if let types = weights.typeEmbeddings {
                e = zip(e, row(types, Int(typeIds?[t] ?? 0))).map { $0 + $1 }
            }
            return e
        }
        x = layerNorm(x, weights.embeddingNormWeight, weights.embeddingNormBias)
        var result = Result(hiddenStates: [x], attentions: [])

        let heads = c.heads
        let dh = d / heads
        for (index, w) in weights.layers.enumerated() {
            let pre = c.normPlacement == .pre
            let normsInput = pre && (index > 0 || c.firstAttentionNorm)
            let input = normsInput ? layerNorm(x, w.attentionNormWeight, w.attentionNormBias) : x
            var q = linear(input, w.queryWeight, w.queryBias)
            var k = linear(input, w.keyWeight, w.keyBias)
            let local = c.localAttention > 0 && index % c.globalAttentionEvery != 0
            if c.positionalEncoding == .rotary {
                // RoPE, rotate-half, in double: angle p · θ^(−2k/dh).
                let theta = local ? c.localRopeTheta : c.ropeTheta
                let half = dh / 2
                func rotated(_ x: [Double], _ p: Int) -> [Double] {
                    var out = x
                    for h in 0..<heads {
                        for j in 0..<half {
                            let angle = Double(p) / Foundation.pow(theta, Double(2 * j) / Double(dh))
                            let a = x[h * dh + j]
                            let b = x[h * dh + j + half]
                            out[h * dh + j] = a * Foundation.cos(angle) - b * Foundation.sin(angle)
                            out[h * dh + j + half] = b * Foundation.cos(angle) + a * Foundation.sin(angle)
                        }
                    }
                    return out
                }
                q = q.indices.map { rotated(q[$0], $0) }
                k = k.indices.map { rotated(k[$0], $0) }
            }
            let v = linear(input, w.valueWeight, w.valueBias)
            var context = [[Double]](repeating: [Double](repeating: 0, count: d), count: n)
            var maps: [[[Double]]] = []
            for h in 0..<heads {
                var map: [[Double]] = []
                for i in 0..<n {
                    var scores = (0..<n).map { j in
                        (0..<dh).reduce(0.0) { $0 + q[i][h * dh + $1] * k[j][h * dh + $1] } / Double(dh).squareRoot()
                    }
                    for j in 0..<n where (c.causal && j > i) || (local && abs(i - j) > c.localAttention / 2) {
                        scores[j] = -.infinity
                    }
                    let m = scores.max()!
                    scores = scores.map { Foundation.exp($0 - m) }
                    let total = scores.reduce(0, +)
                    scores = scores.map { $0 / total }
                    map.append(scores)
                    for e in 0..<dh {
                        context[i][h * dh + e] = (0..<n).reduce(0.0) { $0 + scores[$1] * v[$1][h * dh + e] }
                    }
                }
                maps.append(map)
            }
            result.attentions.append(maps)
            let projected = linear(context, w.attentionOutputWeight, w.attentionOutputBias)
            if pre {
                x = add(x, projected)
                let inner = linear(
                    layerNorm(x, w.outputNormWeight, w.outputNormBias), w.intermediateWeight, w.intermediateBias)
                let f = c.intermediateSize
                let activated =
                    c.gatedFeedForward
                    ? inner.map { r in (0..<f).map { activate(r[$0]) * r[f + $0] } } : inner.map { $0.map(activate) }
                x = add(x, linear(activated, w.outputWeight, w.outputBias))
                if index == weights.layers.count - 1 {
                    x = layerNorm(x, weights.finalNormWeight!, weights.finalNormBias!)
                }
            } else {
                x = layerNorm(add(x, projected), w.attentionNormWeight, w.attentionNormBias)
                let inner = linear(x, w.intermediateWeight, w.intermediateBias).map { $0.map(activate) }
                x = layerNorm(add(x, linear(inner, w.outputWeight, w.outputBias)), w.outputNormWeight, w.outputNormBias)
            }
            result.hiddenStates.append(x)
        }
        return result
    }
}

/// Seeded weights with every bias and LayerNorm parameter randomised too, so a kernel that ignored one would fail.
func randomisedWeights(_ configuration: EncoderConfiguration) -> EncoderWeights {
    var weights = EncoderWeights.seeded(configuration)
    var generator = SplitMix64(seed: configuration.seed &+ 99)
    func jitter(_ t: inout Tensor, around center: Float) {
        for i in 0..<t.count { t.storage[i] = center + Float(generator.nextUnit() - 0.5) * 0.4 }
    }
    jitter(&weights.embeddingNormWeight, around: 1)
    jitter(&weights.embeddingNormBias, around: 0)
    for l in weights.layers.indices {
        jitter(&weights.layers[l].queryBias, around: 0)
        jitter(&weights.layers[l].keyBias, around: 0)
        jitter(&weights.layers[l].valueBias, around: 0)
        jitter(&weights.layers[l].attentionOutputBias, around: 0)
        jitter(&weights.layers[l].attentionNormWeight, around: 1)
        jitter(&weights.layers[l].attentionNormBias, around: 0)
        jitter(&weights.layers[l].intermediateBias, around: 0)
        jitter(&weights.layers[l].outputBias, around: 0)
        jitter(&weights.layers[l].outputNormWeight, around: 1)
        jitter(&weights.layers[l].outputNormBias, around: 0)
        // Larger weights than BERT's 0.02 give peaked attention and real non-linearity to check.
        for i in 0..<weights.layers[l].queryWeight.count {
            weights.layers[l].queryWeight.storage[i] *= 20
            weights.layers[l].keyWeight.storage[i] *= 20
        }
        for i in 0..<weights.layers[l].intermediateWeight.count {
            weights.layers[l].intermediateWeight.storage[i] *= 40
        }
    }
    if var g = weights.finalNormWeight, var b = weights.finalNormBias {
        jitter(&g, around: 1)
        jitter(&b, around: 0)
        weights.finalNormWeight = g
        weights.finalNormBias = b
    }
    return weights
}

/// The small shape the tests use: width 20 and lengths up to 19 exercise every SIMD tail.
func tinyConfiguration(
    positional: PositionalEncoding = .learned, norm: NormPlacement = .post, activation: Activation = .gelu,
    seed: UInt64 = 7
) -> EncoderConfiguration {
    EncoderConfiguration(
        layers: 2, heads: 4, hiddenSize: 20, intermediateSize: 36, maxPositions: 40, vocabularySize: 50,
        typeVocabularySize: 2, positionalEncoding: positional, normPlacement: norm, activation: activation,
        layerNormEpsilon: 1e-12, seed: seed)
}

func maxDifference(_ a: [Float], _ b: [Double]) -> Double {
    zip(a, b).reduce(0) { Swift.max($0, abs(Double($1.0) - $1.1)) }
}

func maxDifference(_ a: [Float], _ b: [Float]) -> Float {
    zip(a, b).reduce(0) { Swift.max($0, abs($1.0 - $1.1)) }
}

/// Deterministic test token ids.
func testIDs(count: Int, seed: UInt64, vocabulary: Int) -> [Int32] {
    var generator = SplitMix64(seed: seed)
    return (0..<count).map { _ in Int32(generator.next() % UInt64(vocabulary)) }
}
