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

private func maxDifference(_ actual: [Float], _ expected: [Double]) -> Double {
    guard actual.count == expected.count else { return .infinity }
    return zip(actual, expected).map { abs(Double($0) - $1) }.max() ?? 0
}

@Suite("AttentionAnalysis")
struct AttentionAnalysisTests {
    @Test(arguments: try loadCases())
    fileprivate func rollout_MatchesNumpy_WhenGivenRandomMaps(_ fixture: AnalysisCase) {
        let result = AttentionAnalysis.rollout(fixture.mapTensors)
        #expect(result.shape == [fixture.n, fixture.n])
        #expect(maxDifference(result.storage, fixture.rollout) < 1e-5)
    }

    @Test(arguments: try loadCases())
    fileprivate func entropy_MatchesNumpy_WhenGivenRandomMaps(_ fixture: AnalysisCase) {
        for (layer, map) in fixture.mapTensors.enumerated() {
            let result = AttentionAnalysis.entropy(map)
            #expect(result.count == fixture.heads)
            #expect(maxDifference(result, fixture.entropy[layer]) < 1e-5, "layer \(layer)")
        }
    }

    @Test(arguments: try loadCases())
    fileprivate func cosineSimilarity_MatchesNumpy_WhenGivenRandomVectors(_ fixture: AnalysisCase) {
        let result = AttentionAnalysis.cosineSimilarity(Tensor(shape: [fixture.n, fixture.d], storage: fixture.hidden))
        #expect(result.shape == [fixture.n, fixture.n])
        #expect(maxDifference(result.storage, fixture.cosine) < 1e-5)
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
}
