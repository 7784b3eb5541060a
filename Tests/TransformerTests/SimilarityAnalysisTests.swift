import Foundation
import Testing

@testable import Transformer

/// One case of `Fixtures/similarity.json` (`scripts/make-similarity-fixture.py`: Hugging Face `transformers` and
/// numpy from the equations).
private struct SimilarityCase: Decodable, CustomTestStringConvertible, Sendable {
    struct Comparison: Decodable, Sendable {
        var cosine: Double
        var per_layer: [Double]
        var matrix: [Float]
        var input_matrix: [Float]
        var rollout_b: [Float]
    }

    var name: String
    var folder: String
    var pooling: String
    var a_ids: [Int32]
    var b_ids: [[Int32]]
    var rollout_a: [Float]
    var comparisons: [Comparison]

    var testDescription: String { name }

    var directory: String {
        folder == "minilm" ? FixtureSupport.miniLMDirectory : FixtureSupport.fixture(folder)
    }

    /// Whether the case can run here (MiniLM's weights are not committed).
    var available: Bool { folder != "minilm" || FixtureSupport.miniLMAvailable }
}

private struct SimilarityFixture: Decodable {
    var cases: [SimilarityCase]
}

private func loadCases() throws -> [SimilarityCase] {
    let data = try Data(contentsOf: URL(fileURLWithPath: FixtureSupport.fixture("similarity.json")))
    return try JSONDecoder().decode(SimilarityFixture.self, from: data).cases
}

/// One sequence through the encoder keeping what the similarity needs: all hidden states and every layer's head
/// mean.
private func encode(_ encoder: Encoder, _ ids: [Int32]) throws -> (hidden: [Tensor], rollout: Tensor) {
    let layers = encoder.configuration.layers
    let keep = KeptOutputs(headMeanLayers: Set(0..<layers), hiddenStates: true)
    let output = try #require(
        try encoder.forward([EncoderInput(ids: ids, keep: keep)], options: ForwardOptions()).first)
    let means = try (0..<layers).map { try #require(output.attentionMeans[$0]) }
    return (try #require(output.hiddenStates), AttentionAnalysis.rollout(means))
}

/// A seeded `[rows, columns]` tensor of values in [-1, 1).
private func random(_ rows: Int, _ columns: Int, seed: UInt64) -> Tensor {
    var generator = SplitMix64(seed: seed)
    let values = (0..<(rows * columns)).map { _ in Float(generator.next() >> 40) / Float(1 << 23) - 1 }
    return Tensor(shape: [rows, columns], storage: values)
}

/// A seeded `[n, n]` row-stochastic matrix.
private func stochastic(_ n: Int, seed: UInt64) -> Tensor {
    var t = random(n, n, seed: seed)
    for i in 0..<n {
        for j in 0..<n { t.storage[i * n + j] = abs(t.storage[i * n + j]) + 0.01 }
        let sum = t.storage[(i * n)..<((i + 1) * n)].reduce(0, +)
        for j in 0..<n { t.storage[i * n + j] /= sum }
    }
    return t
}

private func sum(_ t: Tensor) -> Double { t.storage.reduce(0.0) { $0 + Double($1) } }

private func identity(_ n: Int) -> Tensor {
    var t = Tensor(zeros: [n, n])
    for i in 0..<n { t.storage[i * n + i] = 1 }
    return t
}

@Suite("SimilarityAnalysis")
struct SimilarityAnalysisTests {
    @Test(arguments: try loadCases())
    fileprivate func similarity_MatchesTransformers_ForEveryPoolingAndLayer(_ fixture: SimilarityCase) throws {
        guard fixture.available else {
            Swift.print("[golden] similarity \(fixture.name): skipped, models/all-MiniLM-L6-v2 is absent")
            return
        }
        let model = try CheckpointLoader.load(directory: fixture.directory)
        let pooling = try #require(Pooling(rawValue: fixture.pooling))
        let a = try encode(model.encoder, fixture.a_ids)
        let n = fixture.a_ids.count
        var report = GoldenReport("similarity \(fixture.name) (\(fixture.pooling) pooling)")
        report.compare(
            "rollout a", kind: "rollout", a.rollout, Tensor(shape: [n, n], storage: fixture.rollout_a),
            tolerance: 1e-5)
        for (k, (ids, expected)) in zip(fixture.b_ids, fixture.comparisons).enumerated() {
            let b = try encode(model.encoder, ids)
            let m = ids.count
            let lastA = try #require(a.hidden.last)
            let lastB = try #require(b.hidden.last)
            let pa = try #require(SimilarityAnalysis.pooled(lastA, pooling))
            let pb = try #require(SimilarityAnalysis.pooled(lastB, pooling))
            let cosine = SimilarityAnalysis.cosine(pa, pb)
            report.compare(
                "b[\(k)] cosine", kind: "cosine", Tensor(shape: [1], storage: [cosine]),
                Tensor(shape: [1], storage: [Float(expected.cosine)]), tolerance: 1e-5)
            let layers = SimilarityAnalysis.layerCosines(a.hidden, b.hidden, pooling: pooling)
            report.compare(
                "b[\(k)] per_layer", kind: "per_layer", Tensor(shape: [layers.count], storage: layers),
                Tensor(shape: [expected.per_layer.count], storage: expected.per_layer.map(Float.init)),
                tolerance: 1e-5)
            report.compare(
                "b[\(k)] rollout", kind: "rollout", b.rollout, Tensor(shape: [m, m], storage: expected.rollout_b),
                tolerance: 1e-5)
            let s = try #require(SimilarityAnalysis.tokenMatrix(lastA, lastB, pooling: pooling))
            report.compare(
                "b[\(k)] matrix", kind: "matrix", s, Tensor(shape: [n, m], storage: expected.matrix), tolerance: 1e-5)
            let input = try #require(SimilarityAnalysis.carryBack(s, rolloutA: a.rollout, rolloutB: b.rollout))
            report.compare(
                "b[\(k)] input_matrix", kind: "input_matrix", input,
                Tensor(shape: [n, m], storage: expected.input_matrix), tolerance: 1e-5)
            #expect(abs(sum(s) - Double(cosine)) < 1e-5, "Σ S = cosine")
            #expect(abs(sum(input) - Double(cosine)) < 1e-5, "Σ S_in = cosine")
        }
        report.print()
    }

    @Test(arguments: [Pooling.mean, .cls, .max, .none])
    func tokenMatrix_SumsToTheCosine_WhenGivenRandomStates(_ pooling: Pooling) throws {
        for (trial, (n, m, d)) in [(1, 1, 4), (5, 7, 16), (12, 3, 33), (40, 40, 64)].enumerated() {
            let h = random(n, d, seed: UInt64(10 + trial))
            let g = random(m, d, seed: UInt64(20 + trial))
            let s = try #require(SimilarityAnalysis.tokenMatrix(h, g, pooling: pooling))
            #expect(s.shape == [n, m])
            let pa = try #require(SimilarityAnalysis.pooled(h, pooling))
            let pb = try #require(SimilarityAnalysis.pooled(g, pooling))
            let cosine = Double(SimilarityAnalysis.cosine(pa, pb))
            #expect(abs(sum(s) - cosine) < 1e-5, "\(pooling) n=\(n) m=\(m): Σ S \(sum(s)) vs cosine \(cosine)")
            if pooling == .cls {
                #expect(s.storage.dropFirst().allSatisfy { $0 == 0 }, "CLS puts the whole cosine on S_00")
            }
        }
    }

    @Test func tokenMatrix_IsTheScaledGram_WhenMeanPooled() throws {
        let h = random(3, 8, seed: 1)
        let g = random(2, 8, seed: 2)
        let s = try #require(SimilarityAnalysis.tokenMatrix(h, g, pooling: .mean))
        let pa = try #require(SimilarityAnalysis.pooled(h, .mean))
        let pb = try #require(SimilarityAnalysis.pooled(g, .mean))
        let norms =
            pa.reduce(0.0) { $0 + Double($1 * $1) }.squareRoot()
            * pb.reduce(0.0) { $0 + Double($1 * $1) }
            .squareRoot()
        for i in 0..<3 {
            for j in 0..<2 {
                let dot = (0..<8).reduce(0.0) { $0 + Double(h.storage[i * 8 + $1]) * Double(g.storage[j * 8 + $1]) }
                #expect(abs(Double(s[i, j]) - dot / (6 * norms)) < 1e-6, "S[\(i), \(j)]")
            }
        }
    }

    @Test func tokenMatrix_IsZero_WhenAPooledVectorIsZero() throws {
        let h = Tensor(zeros: [3, 4])
        let g = random(2, 4, seed: 3)
        let s = try #require(SimilarityAnalysis.tokenMatrix(h, g, pooling: .mean))
        #expect(s.storage.allSatisfy { $0 == 0 })
        #expect(SimilarityAnalysis.cosine([0, 0], [1, 2]) == 0)
        #expect(SimilarityAnalysis.tokenMatrix(h, random(2, 5, seed: 4), pooling: .mean) == nil, "widths differ")
    }

    @Test func carryBack_PreservesTheSum_WhenRowsSumToOne() throws {
        for (trial, (n, m)) in [(1, 1), (4, 6), (17, 9)].enumerated() {
            let s = random(n, m, seed: UInt64(30 + trial))
            let ra = stochastic(n, seed: UInt64(40 + trial))
            let rb = stochastic(m, seed: UInt64(50 + trial))
            let input = try #require(SimilarityAnalysis.carryBack(s, rolloutA: ra, rolloutB: rb))
            #expect(abs(sum(input) - sum(s)) < 1e-5, "n=\(n) m=\(m): \(sum(input)) vs \(sum(s))")
            // R_aᵀ S R_b element by element.
            let (i, j) = (n - 1, m - 1)
            var expected = 0.0
            for p in 0..<n {
                for q in 0..<m { expected += Double(ra[p, i]) * Double(s[p, q]) * Double(rb[q, j]) }
            }
            #expect(abs(Double(input[i, j]) - expected) < 1e-5)
        }
        #expect(
            SimilarityAnalysis.carryBack(random(2, 3, seed: 5), rolloutA: identity(3), rolloutB: identity(3)) == nil)
    }

    @Test func carryBack_IsTheMatrixItself_WhenTheRolloutIsTheIdentity() throws {
        // Rollout of identity maps is the identity: every head attending to itself adds nothing.
        let n = 6
        let maps = (0..<3).map { _ in
            var t = Tensor(zeros: [2, n, n])
            for h in 0..<2 { for i in 0..<n { t.storage[(h * n + i) * n + i] = 1 } }
            return t
        }
        let rollout = AttentionAnalysis.rollout(maps)
        #expect(rollout == identity(n))
        let s = random(n, 4, seed: 6)
        let input = try #require(SimilarityAnalysis.carryBack(s, rolloutA: rollout, rolloutB: identity(4)))
        #expect(zip(input.storage, s.storage).allSatisfy { abs($0 - $1) < 1e-7 })
    }

    @Test func layerCosines_PoolsEveryLayer_WhenGivenStates() throws {
        let a = [random(3, 8, seed: 7), random(3, 8, seed: 8)]
        let b = [random(4, 8, seed: 9), a[1]]
        let cosines = SimilarityAnalysis.layerCosines(a, b, pooling: .mean)
        #expect(cosines.count == 2)
        let pa = try #require(SimilarityAnalysis.pooled(a[0], .mean))
        let pb = try #require(SimilarityAnalysis.pooled(b[0], .mean))
        let expected = SimilarityAnalysis.cosine(pa, pb)
        #expect(cosines[0] == expected)
        // Pooling the same rows: the cosine with itself, exactly 1 to rounding.
        #expect(abs(cosines[1] - 1) < 1e-6)
    }
}
