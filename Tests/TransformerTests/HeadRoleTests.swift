import Foundation
import Testing

@testable import Transformer

/// Head roles against a numpy computation on `transformers`' attentions (`scripts/make-mlm-fixture.py`).
@Suite struct HeadRoleTests {
    static func checkpoint(_ name: String) throws -> [String: Any] {
        let index = try FixtureSupport.json(FixtureSupport.fixture("mlm/expected.json"))
        let checkpoints = try #require(index["checkpoints"] as? [String: Any])
        return try #require(checkpoints[name] as? [String: Any])
    }

    /// `[layer][head]` of measure `name` (null → NaN).
    static func grid(_ roles: [String: Any], _ name: String) -> [[Float]] {
        (roles[name] as? [[Any]] ?? []).map { $0.map { ($0 as? Double).map(Float.init) ?? .nan } }
    }

    static func tags(_ roles: [String: Any]) -> [[String?]] {
        (roles["tag"] as? [[Any]] ?? []).map { $0.map { $0 as? String } }
    }

    static func check(_ roles: HeadRoles, against golden: [String: Any], _ label: String) {
        for (m, measure) in HeadRoles.Measure.allCases.enumerated() {
            let expected = grid(golden, measure.rawValue)
            #expect(roles.values[m].count == expected.count, "\(label) \(measure)")
            for (a, row) in expected.enumerated() {
                for (b, value) in row.enumerated() {
                    let actual = roles.values[m][a][b]
                    if value.isNaN {
                        #expect(actual.isNaN, "\(label) \(measure) [\(a)][\(b)]")
                    } else {
                        #expect(abs(actual - value) <= 1e-5, "\(label) \(measure) [\(a)][\(b)]: \(actual) vs \(value)")
                    }
                }
            }
        }
        #expect(roles.tags.map { $0.map { $0?.rawValue } } == tags(golden), "\(label) tags")
    }

    static func maps(_ attentions: Tensor) -> [Tensor] {
        let (layers, heads, n) = (attentions.shape[0], attentions.shape[1], attentions.shape[2])
        let size = heads * n * n
        return (0..<layers).map {
            Tensor(shape: [heads, n, n], storage: Array(attentions.storage[($0 * size)..<(($0 + 1) * size)]))
        }
    }

    @Test(arguments: ["tied", "untied"])
    func headRoles_MatchNumpy_OnTransformersAttentionsAndOnTheEncodersOwn(checkpoint name: String) throws {
        let entry = try Self.checkpoint(name)
        let cases = try #require(entry["cases"] as? [[String: Any]])
        let expected = try SafetensorsFile(path: FixtureSupport.fixture("mlm/expected.safetensors"))
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("mlm/\(name)"))
        var fromEncoder: [HeadRoles] = []
        for (c, testCase) in cases.enumerated() {
            let tokens = try #require(testCase["tokens"] as? [String])
            let ids = try #require(testCase["ids"] as? [Int]).map(Int32.init)
            let golden = try #require(testCase["head_roles"] as? [String: Any])
            let classes = TokenClasses(tokens: tokens, classToken: "[CLS]", separatorToken: "[SEP]")
            let reference = HeadRoles(
                maps: Self.maps(try expected.tensor("\(name).case\(c).attentions")), classes: classes)
            Self.check(reference, against: golden, "\(name) case \(c) (transformers' maps)")
            let layers = model.encoder.configuration.layers
            let output = try #require(
                try model.encoder.forward([EncoderInput(ids: ids)], options: .allAttentions(layers: layers)).first)
            let roles = HeadRoles(maps: (0..<layers).compactMap { output.attentions[$0] }, classes: classes)
            Self.check(roles, against: golden, "\(name) case \(c) (encoder's maps)")
            fromEncoder.append(roles)
        }
        let mean = try #require(HeadRoles.mean(fromEncoder))
        #expect(mean.inputs == cases.count)
        Self.check(mean, against: try #require(entry["head_roles_mean"] as? [String: Any]), "\(name) mean")
    }

    @Test func headRoles_TagsTheDominantRole_WhenAHeadAttendsToOnePlace() {
        // 2 heads over [CLS] a . [SEP]: head 0 always looks at [CLS], head 1 at the previous token (row 0 at itself).
        let n = 4
        var storage = [Float](repeating: 0, count: 2 * n * n)
        for i in 0..<n {
            storage[i * n] = 1
            storage[n * n + i * n + max(0, i - 1)] = 1
        }
        let classes = TokenClasses(tokens: ["[CLS]", "a", ".", "[SEP]"], classToken: "[CLS]", separatorToken: "[SEP]")
        let roles = HeadRoles(maps: [Tensor(shape: [2, n, n], storage: storage)], classes: classes)
        #expect(roles.tags == [[.cls, .previous]])
        #expect(roles.values[0][0] == [1, 0.5])  // cls
        #expect(roles.values[2][0] == [1.0 / 3, 1])  // previous
        #expect(roles.values[6][0] == [0, 0])  // entropy of one-hot rows
        let uniform = Tensor(shape: [1, n, n], storage: [Float](repeating: 0.25, count: n * n))
        #expect(HeadRoles(maps: [uniform], classes: classes).tags == [[.broad]])
    }

    @Test func tokenClasses_FindsPunctuation_ByUnicodeCategory() {
        for token in [".", ",", "!?", "##.", "—", "«", "\u{3002}", "#"] {
            #expect(TokenClasses.isPunctuation(token), "\(token)")
        }
        for token in ["a", "##s", "", "[SEP]", "$", "+", "1", ".a"] {
            #expect(!TokenClasses.isPunctuation(token), "\(token)")
        }
    }
}
