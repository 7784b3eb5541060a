import TestSupport
import Testing
import Transformer

@testable import AttendCore

/// `AttendEngine.attentionTables`: the tables of `attend run --top`, read from the same pass as `POST /attend`.
@Suite("AttendEngine tables")
struct AttentionTableEngineTests {
    private func withEngine<T>(_ body: (AttendEngine) async throws -> T) async rethrows -> T {
        let engine = AttendEngine(
            configuration: CoreConfiguration(), registry: ModelRegistry(models: [TestModels.tiny, TestModels.other]))
        defer { engine.shutdown() }
        return try await body(engine)
    }

    /// Every head's full map of `layer` for `text`, through the engine's ordinary /attend path.
    private func fullMaps(_ engine: AttendEngine, _ text: String, layer: Int) async throws -> (Encoding, Tensor) {
        var request = AttendRequest(source: .texts([text]))
        request.layers = [layer]
        let job = try await engine.prepare(request)
        let results = try await engine.attend(job) { $0 }
        return (job.input.encodings[0], try #require(results[0].output.attentions[job.layers[0]]))
    }

    @Test func attentionTables_EqualTheMeanOfTheAttendMaps_WhenTheLastLayerIsDefault() async throws {
        try await withEngine { engine in
            let text = "the dog chased the ball because it was fast"
            let tables = try await engine.attentionTables(texts: [text], top: 3)
            let table = try #require(tables.first)
            #expect(table.layer == 2)
            #expect(table.layerCount == 3)
            #expect(table.heads == .mean(count: 4))
            let (encoding, maps) = try await fullMaps(engine, text, layer: 2)
            let n = encoding.count
            #expect(table.rows.map(\.token) == encoding.tokens)
            for row in table.rows {
                var mean = [Float](repeating: 0, count: n)
                for h in 0..<4 { for k in 0..<n { mean[k] += maps[h, row.index, k] / 4 } }
                let expected = mean.indices.sorted { mean[$0] != mean[$1] ? mean[$0] > mean[$1] : $0 < $1 }
                #expect(row.targets.map(\.index) == Array(expected.prefix(3)))
                for target in row.targets {
                    #expect(abs(target.weight - mean[target.index]) < 1e-5)
                    #expect(target.token == encoding.tokens[target.index])
                }
                #expect(row.targets[0].weight >= row.targets[1].weight)
            }
        }
    }

    @Test func attentionTables_ReadOneHead_WhenLayerAndHeadCountFromTheEnd() async throws {
        try await withEngine { engine in
            let text = "a small test"
            let table = try #require(try await engine.attentionTables(texts: [text], layer: -3, head: -1, top: 2).first)
            #expect(table.layer == 0)
            #expect(table.heads == .head(3))
            let (_, maps) = try await fullMaps(engine, text, layer: 0)
            for row in table.rows {
                for target in row.targets { #expect(target.weight == maps[3, row.index, target.index]) }
            }
        }
    }

    @Test func attentionTables_TitleEachText_WhenABatchIsRunOnANamedModel() async throws {
        try await withEngine { engine in
            let tables = try await engine.attentionTables(texts: ["one two", "three"], model: "other", top: 1)
            #expect(tables.count == 2)
            #expect(tables[0].title.hasPrefix("[1/2] other: \"one two\""))
            #expect(tables[1].title.hasPrefix("[2/2] other: \"three\""))
            #expect(tables[1].layer == 1)
        }
    }

    @Test func attentionTables_Throw_WhenLayerHeadTopOrModelIsWrong() async {
        await withEngine { engine in
            await #expect(throws: CoreError.selectionOutOfRange(kind: "layer", index: 3, count: 3)) {
                try await engine.attentionTables(texts: ["x"], layer: 3, top: 1)
            }
            await #expect(throws: CoreError.selectionOutOfRange(kind: "layer", index: -4, count: 3)) {
                try await engine.attentionTables(texts: ["x"], layer: -4, top: 1)
            }
            await #expect(throws: CoreError.selectionOutOfRange(kind: "head", index: 4, count: 4)) {
                try await engine.attentionTables(texts: ["x"], head: 4, top: 1)
            }
            await #expect(throws: CoreError.self) { try await engine.attentionTables(texts: ["x"], top: 0) }
            await #expect(throws: CoreError.self) { try await engine.attentionTables(texts: [], top: 1) }
            await #expect(throws: CoreError.modelNotFound(name: "nope", available: ["tiny", "other"])) {
                try await engine.attentionTables(texts: ["x"], model: "nope", top: 1)
            }
        }
    }
}
