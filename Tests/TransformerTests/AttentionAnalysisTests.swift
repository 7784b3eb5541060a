import Foundation
import Testing

@testable import Transformer

/// One case of `Fixtures/analysis.json`, written by `scripts/make-analysis-fixture.py` (numpy reference).
private struct AnalysisCase: Decodable, CustomTestStringConvertible, Sendable {
    var name: String
    var layers: Int
    var heads: Int
    var n: Int
    var d: Int
    var maps: [[Float]]
    var hidden: [Float]
    var rollout: [Double]
    var entropy: [[Double]]
    var cosine: [Double]

    var testDescription: String { name }

    var mapTensors: [Tensor] { maps.map { Tensor(shape: [heads, n, n], storage: $0) } }
}

private struct AnalysisFixture: Decodable {
    var cases: [AnalysisCase]
}

private enum FixtureError: Error {
    case missing(String)
}

private func loadCases() throws -> [AnalysisCase] {
    guard let url = Bundle.module.url(forResource: "analysis", withExtension: "json", subdirectory: "Fixtures")
    else { throw FixtureError.missing("Fixtures/analysis.json") }
    return try JSONDecoder().decode(AnalysisFixture.self, from: Data(contentsOf: url)).cases
}

private func largestDeviation(_ actual: [Float], _ expected: [Double]) -> Double {
    guard actual.count == expected.count else { return .infinity }
    return zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 0
}

@Suite("AttentionAnalysis")
struct AttentionAnalysisTests {
    @Test(arguments: try loadCases())
    fileprivate func rollout_MatchesNumpy_WhenGivenRandomMaps(_ fixture: AnalysisCase) {
        let result = AttentionAnalysis.rollout(fixture.mapTensors)
        #expect(result.shape == [fixture.n, fixture.n])
        #expect(largestDeviation(result.storage, fixture.rollout) < 1e-5)
    }

    @Test(arguments: try loadCases())
    fileprivate func entropy_MatchesNumpy_WhenGivenRandomMaps(_ fixture: AnalysisCase) {
        for (layer, map) in fixture.mapTensors.enumerated() {
            let result = AttentionAnalysis.entropy(map)
            #expect(result.count == fixture.heads)
            #expect(largestDeviation(result, fixture.entropy[layer]) < 1e-5, "layer \(layer)")
        }
    }

    @Test(arguments: try loadCases())
    fileprivate func cosineSimilarity_MatchesNumpy_WhenGivenRandomVectors(_ fixture: AnalysisCase) {
        let result = AttentionAnalysis.cosineSimilarity(Tensor(shape: [fixture.n, fixture.d], storage: fixture.hidden))
        #expect(result.shape == [fixture.n, fixture.n])
        #expect(largestDeviation(result.storage, fixture.cosine) < 1e-5)
    }

    @Test func rollout_RowsSumToOne_WhenMapsAreRowStochastic() throws {
        let fixture = try #require(try loadCases().last)
        let result = AttentionAnalysis.rollout(fixture.mapTensors)
        let n = fixture.n
        for i in 0..<n {
            let sum = result.storage[(i * n)..<(i * n + n)].reduce(0, +)
            #expect(abs(sum - 1) < 1e-5, "row \(i)")
        }
    }

    @Test func rollout_IsIdentity_WhenHeadsAttendToThemselves() {
        let n = 4
        var identity = [Float](repeating: 0, count: 2 * n * n)
        for h in 0..<2 { for i in 0..<n { identity[(h * n + i) * n + i] = 1 } }
        let maps = Array(repeating: Tensor(shape: [2, n, n], storage: identity), count: 3)
        let result = AttentionAnalysis.rollout(maps)
        #expect(result.storage == (0..<(n * n)).map { $0 / n == $0 % n ? 1 : 0 })
    }

    @Test func rollout_IsEmpty_WhenNoLayersOrMismatchedSizes() {
        #expect(AttentionAnalysis.rollout([]).shape == [0, 0])
        let a = Tensor(shape: [1, 2, 2], storage: [1, 0, 0, 1])
        let b = Tensor(shape: [1, 3, 3], storage: [1, 0, 0, 0, 1, 0, 0, 0, 1])
        #expect(AttentionAnalysis.rollout([a, b]).shape == [0, 0])
    }

    @Test func entropy_IsZeroAndLogN_WhenOneHotAndUniform() throws {
        let n = 8
        var storage = [Float](repeating: 0, count: 2 * n * n)
        for i in 0..<n { storage[i * n] = 1 }
        for i in (n * n)..<(2 * n * n) { storage[i] = 1 / Float(n) }
        let result = AttentionAnalysis.entropy(Tensor(shape: [2, n, n], storage: storage))
        try #require(result.count == 2)
        #expect(result[0] == 0)
        #expect(abs(result[1] - Float(log(Double(n)))) < 1e-6)
    }

    @Test func entropy_IsEmpty_WhenShapeIsNotHeadsByNByN() {
        #expect(AttentionAnalysis.entropy(Tensor(shape: [2, 3], storage: [0, 0, 0, 0, 0, 0])).isEmpty)
        #expect(AttentionAnalysis.entropy(Tensor(shape: [1, 2, 3], storage: [0, 0, 0, 0, 0, 0])).isEmpty)
    }

    @Test func cosineSimilarity_IsOneOnDiagonalAndZeroForZeroRows_WhenGivenVectors() {
        let hidden = Tensor(shape: [3, 2], storage: [3, 4, 0, 0, -6, -8])
        let result = AttentionAnalysis.cosineSimilarity(hidden)
        #expect(result.shape == [3, 3])
        #expect(result.storage == [1, 0, -1, 0, 0, 0, -1, 0, 1])
    }

    @Test func rollout_IsIdentity_WhenGivenIdentityMeans() {
        // n = 37: not a multiple of 16, so sgemm and the SIMD tails both see ragged edges.
        let n = 37
        let identity = (0..<(n * n)).map { Float($0 / n == $0 % n ? 1 : 0) }
        let means = Array(repeating: Tensor(shape: [n, n], storage: identity), count: 6)
        #expect(AttentionAnalysis.rollout(means).storage == identity)
    }

    @Test func rollout_RowsSumToOneAndMatchDoubleReference_WhenMapsAreRandom() throws {
        let maps = randomMaps(layers: 5, heads: 3, n: 45, seed: 3)
        let result = AttentionAnalysis.rollout(maps)
        let n = 45
        try #require(result.shape == [n, n])
        var worstSum: Float = 0
        for i in 0..<n { worstSum = max(worstSum, abs(result.storage[(i * n)..<(i * n + n)].reduce(0, +) - 1)) }
        let deviation = largestDeviation(result.storage, referenceRollout(maps))
        print("rollout n=45: max |row sum − 1| \(worstSum), max deviation from Double \(deviation)")
        #expect(worstSum < 1e-5)
        #expect(deviation < 1e-6)
    }

    @Test func rollout_IsSame_WhenGivenHeadMeansInsteadOfMaps() {
        let maps = randomMaps(layers: 4, heads: 4, n: 20, seed: 8)
        let means = maps.map { map in
            Tensor(
                shape: [20, 20],
                storage: (0..<400).map { i in (0..<4).reduce(0) { $0 + map.storage[$1 * 400 + i] } / 4 })
        }
        let fromMaps = AttentionAnalysis.rollout(maps)
        let fromMeans = AttentionAnalysis.rollout(means)
        let mixed = AttentionAnalysis.rollout([means[0], maps[1], means[2], maps[3]])
        #expect(fromMeans.shape == [20, 20])
        #expect(maxDifference(fromMaps.storage, fromMeans.storage) < 1e-6)
        #expect(maxDifference(fromMaps.storage, mixed.storage) < 1e-6)
    }

    @Test func cosineSimilarity_MatchesDoubleReference_WhenVectorsAreRandom() {
        var generator = SplitMix64(seed: 5)
        let n = 33
        let d = 70
        let hidden = (0..<(n * d)).map { _ in Float(generator.nextUnit() - 0.5) }
        let result = AttentionAnalysis.cosineSimilarity(Tensor(shape: [n, d], storage: hidden))
        var expected = [Double](repeating: 0, count: n * n)
        let norms = (0..<n).map { i in
            (0..<d).reduce(0.0) { $0 + Double(hidden[i * d + $1] * hidden[i * d + $1]) }.squareRoot()
        }
        for i in 0..<n {
            for j in 0..<n {
                let dot = (0..<d).reduce(0.0) { $0 + Double(hidden[i * d + $1]) * Double(hidden[j * d + $1]) }
                expected[i * n + j] = dot / (norms[i] * norms[j])
            }
        }
        #expect(largestDeviation(result.storage, expected) < 1e-6)
        #expect((0..<n).allSatisfy { result.storage[$0 * n + $0] == 1 })
    }
}

/// `layers` random row-stochastic [heads, n, n] maps.
private func randomMaps(layers: Int, heads: Int, n: Int, seed: UInt64) -> [Tensor] {
    var generator = SplitMix64(seed: seed)
    return (0..<layers).map { _ in
        var storage = (0..<(heads * n * n)).map { _ in Float(generator.nextUnit()) }
        for row in 0..<(heads * n) {
            let sum = storage[(row * n)..<(row * n + n)].reduce(0, +)
            for j in 0..<n { storage[row * n + j] /= sum }
        }
        return Tensor(shape: [heads, n, n], storage: storage)
    }
}

/// Rollout as it was computed before the sgemm version: head mean, + I, row-normalised, multiplied, all in Double.
private func referenceRollout(_ maps: [Tensor]) -> [Double] {
    let n = maps[0].shape[1]
    var result = (0..<(n * n)).map { $0 / n == $0 % n ? 1.0 : 0 }
    for map in maps {
        let heads = map.shape[0]
        var layer = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for j in 0..<n {
                let sum = (0..<heads).reduce(0.0) { $0 + Double(map.storage[($1 * n + i) * n + j]) }
                layer[i * n + j] = sum / Double(heads) + (i == j ? 1 : 0)
            }
            let rowSum = layer[(i * n)..<(i * n + n)].reduce(0, +)
            for j in 0..<n { layer[i * n + j] /= rowSum }
        }
        var product = [Double](repeating: 0, count: n * n)
        for i in 0..<n {
            for k in 0..<n {
                for j in 0..<n { product[i * n + j] += layer[i * n + k] * result[k * n + j] }
            }
        }
        result = product
    }
    return result
}
