import Foundation
import Testing

@testable import Transformer

/// Probe variants (``ProbeEdit``, ``EncoderInput/ablatedHeads``, ``ProbeComparison``) against
/// `Fixtures/probes/`, made on Hugging Face `transformers` with the same edits (head ablation by a forward
/// pre-hook on each layer's `attention.output.dense`) by `scripts/make-probe-fixtures.py`, plus invariants.
@Suite struct ProbeTests {
    struct Case {
        var ids: [Int32]
        var typeIds: [Int32]?
        var edit: ProbeEdit
        var variantIDs: [Int32]
    }

    /// The fixture's cases for `model`, their probes turned into edits (mask → `maskID`, replace by id).
    static func cases(_ name: String, tokenizer: any Tokenizer) throws -> [Case] {
        let index = try FixtureSupport.json(FixtureSupport.fixture("probes/index.json"))
        let maskID = Int32(try #require(index["\(name)-mask-id"] as? Int))
        return try #require(index[name] as? [[String: Any]]).map { item in
            let probe = try #require(item["probe"] as? [String: Any])
            var edit = ProbeEdit()
            for i in probe["mask"] as? [Int] ?? [] {
                edit.replacements[i] = .init(id: maskID, token: tokenizer.token(for: maskID) ?? "")
            }
            for (key, value) in probe["replace"] as? [String: Int] ?? [:] {
                let id = Int32(value)
                edit.replacements[try #require(Int(key))] = .init(id: id, token: tokenizer.token(for: id) ?? "")
            }
            edit.drops = Set(probe["drop"] as? [Int] ?? [])
            for pair in probe["ablate"] as? [[Int]] ?? [] {
                edit.ablatedHeads.insert(AttentionHead(layer: pair[0], head: pair[1]))
            }
            return Case(
                ids: try #require(item["ids"] as? [Int]).map(Int32.init),
                typeIds: (item["type_ids"] as? [Int])?.map(Int32.init), edit: edit,
                variantIDs: try #require(item["variant_ids"] as? [Int]).map(Int32.init))
        }
    }

    static func encoding(_ ids: [Int32], typeIds: [Int32]?, tokenizer: any Tokenizer) -> Encoding {
        Encoding(
            tokens: ids.map { tokenizer.token(for: $0) ?? "" }, ids: ids,
            offsets: Array(repeating: nil, count: ids.count), wordIDs: Array(repeating: nil, count: ids.count),
            specialTokensMask: Array(repeating: false, count: ids.count), typeIDs: typeIds)
    }

    static func variants(_ cases: [Case], _ c: EncoderConfiguration, tokenizer: any Tokenizer) -> [ProbeVariant] {
        let keep = KeptOutputs(attentionLayers: Set(0..<c.layers), hiddenStates: true)
        return cases.map { item in
            item.edit.apply(
                to: encoding(item.ids, typeIds: item.typeIds, tokenizer: tokenizer), typeIDs: item.typeIds,
                keep: keep)
        }
    }

    /// Every case's last hidden state and maps against the fixture, within `tolerance`.
    static func compare(_ model: Model, fixture: String, batched: Bool, tolerance: Float) throws {
        let expected = try SafetensorsFile(path: FixtureSupport.fixture("probes/\(fixture).safetensors"))
        let c = model.encoder.configuration
        let cases = try Self.cases(fixture, tokenizer: model.tokenizer)
        let variants = Self.variants(cases, c, tokenizer: model.tokenizer)
        for (item, variant) in zip(cases, variants) { #expect(variant.input.ids == item.variantIDs) }
        let inputs = variants.map(\.input)
        let outputs =
            batched
            ? try model.encoder.forward(inputs, options: ForwardOptions())
            : try inputs.map { try #require(try model.encoder.forward([$0], options: ForwardOptions()).first) }
        var report = GoldenReport("probes \(fixture)\(batched ? " (one batch)" : "")")
        for (i, output) in outputs.enumerated() {
            report.compare(
                "case\(i).last_hidden_state", kind: "hidden", output.lastHiddenState,
                try expected.tensor("case\(i).last_hidden_state"), tolerance: tolerance)
            for l in 0..<c.layers {
                report.compare(
                    "case\(i).attentions.\(l)", kind: "attentions", try #require(output.attentions[l]),
                    try expected.tensor("case\(i).attentions.\(l)"), tolerance: tolerance)
            }
        }
        report.print()
    }

    @Test func probes_MatchReference_ForTinyBertCasesAlone() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        try Self.compare(model, fixture: "tiny-bert", batched: false, tolerance: 1e-5)
    }

    @Test func probes_MatchReference_ForTinyBertCasesInOneBatch() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        try Self.compare(model, fixture: "tiny-bert", batched: true, tolerance: 1e-5)
    }

    @Test(
        .enabled(
            if: FixtureSupport.miniLMAvailable,
            "models/all-MiniLM-L6-v2 is absent — run scripts/fetch-model to enable the MiniLM probe test"))
    func probes_MatchReference_ForMiniLMInOneBatch() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.miniLMDirectory)
        let index = try FixtureSupport.json(FixtureSupport.fixture("probes/index.json"))
        let text = try #require(index["minilm-text"] as? String)
        let cases = try Self.cases("minilm", tokenizer: model.tokenizer)
        #expect(model.tokenizer.encode(text).ids == cases.first?.ids)
        try Self.compare(model, fixture: "minilm", batched: true, tolerance: 1e-5)
    }

    @Test func probesInABatch_EqualTheSameProbesAlone_Bitwise() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        let c = model.encoder.configuration
        let inputs = Self.variants(
            try Self.cases("tiny-bert", tokenizer: model.tokenizer), c, tokenizer: model.tokenizer
        )
        .map(\.input)
        let batched = try model.encoder.forward(inputs, options: ForwardOptions())
        for (input, together) in zip(inputs, batched) {
            let alone = try #require(try model.encoder.forward([input], options: ForwardOptions()).first)
            #expect(alone.lastHiddenState.storage == together.lastHiddenState.storage)
            for l in 0..<c.layers { #expect(alone.attentions[l]?.storage == together.attentions[l]?.storage) }
        }
    }

    @Test func emptyProbe_EqualsOriginal_Bitwise() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        let c = model.encoder.configuration
        let keep = KeptOutputs(attentionLayers: Set(0..<c.layers), hiddenStates: true)
        let ids: [Int32] = [2, 100, 101, 102, 103, 104, 3, 120, 121, 3]
        let types: [Int32] = [0, 0, 0, 0, 0, 0, 0, 1, 1, 1]
        let original = EncoderInput(ids: ids, typeIds: types, keep: keep)
        let variant = ProbeEdit().apply(
            to: Self.encoding(ids, typeIds: types, tokenizer: model.tokenizer), typeIDs: types, keep: keep)
        #expect(variant.input == original)
        #expect(variant.alignment == Array(0..<ids.count))
        let out = try model.encoder.forward([original, variant.input], options: ForwardOptions())
        #expect(out[0].lastHiddenState.storage == out[1].lastHiddenState.storage)
        #expect(out[0].hiddenStates?.map(\.storage) == out[1].hiddenStates?.map(\.storage))
        for l in 0..<c.layers { #expect(out[0].attentions[l]?.storage == out[1].attentions[l]?.storage) }
        let comparison = ProbeComparison(
            original: out[0], originalPooled: [1, 2, 3], probe: out[1], probePooled: [1, 2, 3],
            alignment: variant.alignment, layers: Array(0..<c.layers))
        #expect(comparison.tokenL2 == Array(repeating: 0, count: ids.count))
        #expect(comparison.maxMapChange == Array(repeating: Array(repeating: 0, count: c.heads), count: c.layers))
        #expect(abs((comparison.pooledCosine ?? 0) - 1) < 1e-6)
    }

    /// With every head of layer 0 ablated no token sees another through layer 0: changing token 3 leaves every
    /// other row of layer 0's output unchanged (bitwise), while with the heads on it moves them all.
    @Test func ablatingEveryHeadOfALayer_LeavesOnlyTheResidualPath_WhenOneTokenChanges() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        let c = model.encoder.configuration
        let all = Set((0..<c.heads).map { AttentionHead(layer: 0, head: $0) })
        let keep = KeptOutputs(hiddenStates: true)
        func layerOne(_ ids: [Int32], ablated: Set<AttentionHead>) throws -> Tensor {
            let out = try model.encoder.forward(
                [EncoderInput(ids: ids, keep: keep, ablatedHeads: ablated)], options: ForwardOptions())
            return try #require(out.first?.hiddenStates?[1])
        }
        let a: [Int32] = [2, 77, 80, 81, 90, 3]
        var b = a
        b[3] = 150
        let d = c.hiddenSize
        let (xa, xb) = (try layerOne(a, ablated: all), try layerOne(b, ablated: all))
        let (ya, yb) = (try layerOne(a, ablated: []), try layerOne(b, ablated: []))
        for i in 0..<a.count {
            let rowA = Array(xa.storage[(i * d)..<((i + 1) * d)])
            let rowB = Array(xb.storage[(i * d)..<((i + 1) * d)])
            #expect((rowA == rowB) == (i != 3), "row \(i)")
            #expect(Array(ya.storage[(i * d)..<((i + 1) * d)]) != Array(yb.storage[(i * d)..<((i + 1) * d)]))
        }
    }

    @Test func drop_AlignsNullsExactlyAtDroppedPositions() throws {
        let model = try CheckpointLoader.load(directory: FixtureSupport.fixture("tiny-bert"))
        let c = model.encoder.configuration
        let ids: [Int32] = [2, 77, 80, 81, 90, 91, 3]
        let types: [Int32] = [0, 0, 0, 0, 1, 1, 1]
        let keep = KeptOutputs(attentionLayers: Set(0..<c.layers))
        let edit = ProbeEdit(
            replacements: [1: .init(id: 4, token: "[MASK]")], drops: [0, 3, 5])
        let variant = edit.apply(
            to: Self.encoding(ids, typeIds: types, tokenizer: model.tokenizer), typeIDs: types, keep: keep)
        #expect(variant.alignment == [nil, 0, 1, nil, 2, nil, 3])
        #expect(variant.positions == [1, 2, 4, 6])
        #expect(variant.input.ids == [4, 80, 90, 3])
        #expect(variant.input.typeIds == [0, 0, 1, 1])
        #expect(variant.tokens.first == "[MASK]")
        let out = try model.encoder.forward(
            [EncoderInput(ids: ids, typeIds: types, keep: keep), variant.input], options: ForwardOptions())
        let comparison = ProbeComparison(
            original: out[0], originalPooled: nil, probe: out[1], probePooled: nil, alignment: variant.alignment,
            layers: Array(0..<c.layers))
        #expect(comparison.tokenL2.map { $0 == nil } == [true, false, false, true, false, true, false])
        #expect(comparison.tokenCosine.map { $0 == nil } == [true, false, false, true, false, true, false])
        #expect(comparison.pooledCosine == nil)
        #expect(comparison.maxMapChange.count == c.layers)
        #expect(comparison.maxMapChange.allSatisfy { $0.count == c.heads && $0.allSatisfy { $0 > 0 && $0 <= 1 } })
    }
}
