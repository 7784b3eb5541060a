import Foundation
import HTTP1
import HTTPServer
import JSON
import Logging
import TestSupport
import Testing
import Transformer

@testable import AttendCore
@testable import AttendHTTP

/// The streamed `POST /attend` JSON answer: byte for byte the whole-body writer's output, chunked on the wire,
/// the budget lease returned, and a vanished client stopping the producer.
@Suite(.serialized) struct StreamedJSONTests {
    /// Ten sequences of 24 ids (the tiny model's maximum) with every map and hidden state: about 1.4 MB, streamed.
    static let large: String = {
        let ids = (0..<10).map { s in
            "[" + (0..<24).map { String(($0 * 37 + s * 11) % 480 + 5) }.joined(separator: ",") + "]"
        }
        return "{\"input_ids\":[" + ids.joined(separator: ",") + "],\"hidden_states\":true}"
    }()

    static let bodies = [
        #"{"text":"the dog chased the ball because it was fast"}"#,
        #"{"text":["one two three","four"],"precision":3}"#,
        #"{"text":"the dog chased the ball","rows":[0,-1],"heads":[2,0]}"#,
        #"{"text":"the dog chased the ball","top_k":2,"layers":[1]}"#,
        #"{"text":"the dog chased the ball","threshold":0.2,"precision":4}"#,
        #"{"tokens":[["the","dog","runs"]],"hidden_states":true,"analysis":true}"#,
        #"{"input_ids":[[101,7,9,102]],"attentions":false,"analysis":true}"#,
        large,
    ]

    static func prepared(_ app: AttendApp, _ body: String) async throws -> (AttendJob, [SequenceResult]) {
        let typed = try AttendRequest.decode(
            Array(body.utf8), registry: app.engine.registry, limits: app.engine.limits)
        let job = try await app.engine.prepare(typed)
        return (job, try await app.engine.run(job))
    }

    static func legacy(_ job: AttendJob, _ results: [SequenceResult]) -> [UInt8] {
        let w = JSONWriter()
        LegacyAttendWriter.write(job, results: results, into: w)
        return w.bytes
    }

    static func makeApp() -> AttendApp {
        AttendApp(configuration: ServiceConfiguration(), registry: ModelRegistry(models: [TestModels.tiny]))
    }

    @Test func streamedJSON_IsByteIdenticalToWholeWriter_ForEveryForm() async throws {
        let app = Self.makeApp()
        defer { app.shutdown() }
        for body in Self.bodies {
            let (job, results) = try await Self.prepared(app, body)
            let reference = Self.legacy(job, results)
            let whole = JSONWriter()
            AttendResponseWriter.write(job, results: results, into: whole)
            #expect(whole.bytes == reference, "\(body)")
            for (window, target) in [(1, 1), (2, 1), (4, 4096), (4, JobEstimate.streamPieceBytes)] {
                let stream = AttendResponseStream.make(
                    job, results: results, lease: nil, workers: app.engine.workers, window: window, target: target)
                #expect(try await stream.collect() == reference, "\(body) window \(window) target \(target)")
            }
            #expect((try? JSONParser().parse(reference)) != nil)
        }
    }

    @Test func streamedEstimate_HoldsChunksNotBody_WhenLargeJSON() async throws {
        let app = Self.makeApp()
        defer { app.shutdown() }
        let (job, results) = try await Self.prepared(app, Self.large)
        #expect(job.estimate.streamed)
        let body = Self.legacy(job, results)
        #expect(job.estimate.responseBytes >= body.count)
        let kept = job.model.encoder.keptBytes(for: job.encoderInputs)
        #expect(job.estimate.memoryBytes <= kept + 2 * job.estimate.responseBytes)
        // At 512 tokens (MiniLM's shape, every map) the body is ~245 MB; the streamed estimate holds a few chunks.
        let n = 512
        let encoding = Encoding(
            tokens: Array(repeating: "tok", count: n), ids: Array(repeating: 7, count: n),
            offsets: Array(repeating: nil, count: n), wordIDs: Array(repeating: nil, count: n),
            specialTokensMask: Array(repeating: false, count: n))
        let miniLM = EncoderConfiguration(
            layers: 6, heads: 12, hiddenSize: 384, intermediateSize: 1536, maxPositions: 512, vocabularySize: 30522,
            typeVocabularySize: 2, seed: 1)
        let keptMaps = 6 * 12 * n * n * 4
        let big = JobEstimate.attend(
            encodings: [encoding], configuration: miniLM, layers: 6, heads: 12, attentions: true, hiddenStates: false,
            analysis: false, precision: nil, keptBytes: keptMaps)
        #expect(big.streamed)
        #expect(big.responseBytes > 200_000_000)
        #expect(big.memoryBytes - keptMaps < 40_000_000)
        #expect(big.memoryBytes - keptMaps >= 5 * 512 * 512 * 13)  // Room for the window of head maps.
        let (small, _) = try await Self.prepared(app, Self.bodies[0])
        #expect(!small.estimate.streamed)
        let (binary, _) = try await Self.prepared(
            app, String(Self.large.dropLast()) + #","format":"safetensors"}"#)
        #expect(!binary.estimate.streamed)
    }

    @Test func budgetLease_IsReleased_WhenStreamEndsOrIsDropped() async throws {
        let app = Self.makeApp()
        defer { app.shutdown() }
        let budget = app.engine.budget
        let (job, _) = try await Self.prepared(app, Self.large)
        let (results, lease) = try await app.engine.attendLeased(job)
        #expect(budget.reserved == job.estimate.memoryBytes)
        let stream = AttendResponseStream.make(job, results: results, lease: lease, workers: app.engine.workers)
        _ = try await stream.collect()
        #expect(budget.reserved == 0)
        do {
            let (results, lease) = try await app.engine.attendLeased(job)
            #expect(budget.reserved == job.estimate.memoryBytes)
            _ = AttendResponseStream.make(job, results: results, lease: lease, workers: app.engine.workers)
        }
        #expect(budget.reserved == 0)
    }

    @Test func attend_StreamsChunkedBodyAndKeepsAlive_WhenLarge() async throws {
        try await LiveService.with(models: [TestModels.tiny]) { live in
            let (job, results) = try await Self.prepared(live.app, Self.large)
            let reference = Self.legacy(job, results)
            let port = live.port
            let replies = try await onThread {
                let client = LoopbackClient(port: port)
                defer { client.close() }
                return [
                    try client.post("/attend", json: Self.large), try client.post("/attend", json: Self.bodies[0]),
                ]
            }
            #expect(replies[0].status == 200)
            #expect(replies[0].header("transfer-encoding") == "chunked")
            #expect(replies[0].header("content-length") == nil)
            #expect(replies[0].header("content-type") == "application/json")
            #expect(replies[0].body == reference)
            #expect(replies[1].status == 200)  // The same connection goes on after the last chunk.
            #expect(replies[1].header("content-length") != nil)
            #expect(live.app.engine.budget.reserved == 0)
        }
    }
}
