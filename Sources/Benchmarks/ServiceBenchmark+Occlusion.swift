import AttendCore
import AttendHTTP
import Foundation
import TestSupport
import Transformer

extension ServiceBenchmark {
    /// `attend bench --occlusion`: one sentence of 16 word pieces with `"occlusion": true` (17 sequences: the
    /// sentence and the 16 with one token removed) as one `POST /attend` over loopback, next to the same 17
    /// sequences as a plain batch (one forward pass keeping only the last hidden states, and one `POST /attend`
    /// of their ids without maps). Rounds interleave the kinds, so a loaded machine slows them alike.
    public struct OcclusionReport: Sendable {
        /// Tokens of the sentence (special tokens included) and sequences of the occlusion pass.
        public var tokens: Int
        public var sequences: Int
        /// Medians in milliseconds.
        public var plainPassMilliseconds: Double
        public var plainRequestMilliseconds: Double
        public var occlusionMilliseconds: Double
        public var occlusionAnalysisMilliseconds: Double
        public var rounds: Int

        /// A text table.
        public var table: String {
            func row(_ name: String, _ ms: Double) -> String {
                "  " + name.padding(toLength: 52, withPad: " ", startingAt: 0)
                    + String(format: "%8.3f ms  %.2fx the plain pass", ms, ms / plainPassMilliseconds)
            }
            return [
                "occlusion, \(tokens) tokens (\(sequences) sequences), median of \(rounds) interleaved rounds:",
                row("plain batch: one forward pass of the \(sequences)", plainPassMilliseconds),
                row("plain batch: POST /attend of their ids, no maps", plainRequestMilliseconds),
                row("POST /attend occlusion, no maps", occlusionMilliseconds),
                row("POST /attend occlusion + analysis (rollout, Spearman)", occlusionAnalysisMilliseconds),
                String(
                    format: "  occlusion request / plain batch request: %.2fx (target ≤ 1.3x)",
                    occlusionMilliseconds / plainRequestMilliseconds),
            ].joined(separator: "\n")
        }
    }

    /// The sentence measured: 16 word pieces on MiniLM's vocabulary.
    public static let occlusionSentence = "the quick brown fox jumps over the lazy dog while the cat sleeps on the mat"

    /// Measures ``OcclusionReport`` on `model` for at least `seconds` per kind (at least 5 rounds, at most 400).
    public static func occlusion(model: ServedModel, seconds: Double) async throws -> OcclusionReport {
        let (app, server, port) = try loopbackService(model)
        defer { app.shutdown() }
        var typed = AttendRequest(model: model.name, source: .texts([occlusionSentence]))
        typed.occlusion = true
        typed.attentions = false
        let job = try await app.engine.prepare(typed)
        let inputs = job.passInputs.map { EncoderInput(ids: $0.ids, typeIds: $0.typeIds, keep: .lastHiddenState) }
        let idLists = inputs.map { "[" + $0.ids.map { String($0) }.joined(separator: ",") + "]" }
        let plainBody = "{\"input_ids\":[" + idLists.joined(separator: ",") + "],\"attentions\":false}"
        let text = "{\"text\":\"\(occlusionSentence)\",\"occlusion\":true,\"attentions\":false"
        let bodies = [plainBody, text + "}", text + ",\"analysis\":true}"]
        let client = LoopbackClient(port: port)
        defer { client.close() }
        func post(_ body: String) async throws {
            let reply = try await onThread { try client.post("/attend", json: body) }
            guard reply.status == 200 else { throw LoopbackClient.Failure(description: "status \(reply.status)") }
        }
        _ = try model.encoder.forward(inputs, options: ForwardOptions())
        for body in bodies { try await post(body) }
        var pass: [Double] = []
        var requests: [[Double]] = Array(repeating: [], count: bodies.count)
        let begin = ContinuousClock.now
        var rounds = 0
        while rounds < 400, rounds < 5 || (ContinuousClock.now - begin).seconds < seconds * 4 {
            rounds += 1
            var start = ContinuousClock.now
            _ = try model.encoder.forward(inputs, options: ForwardOptions())
            pass.append((ContinuousClock.now - start).seconds * 1000)
            for (i, body) in bodies.enumerated() {
                start = ContinuousClock.now
                try await post(body)
                requests[i].append((ContinuousClock.now - start).seconds * 1000)
            }
        }
        await server.shutdown(deadline: .seconds(1))
        return OcclusionReport(
            tokens: job.input.totalTokens, sequences: inputs.count, plainPassMilliseconds: median(pass),
            plainRequestMilliseconds: median(requests[0]), occlusionMilliseconds: median(requests[1]),
            occlusionAnalysisMilliseconds: median(requests[2]), rounds: rounds)
    }

    /// Runs blocking work on a new thread (the loopback client blocks; the server needs the cooperative pool).
    private static func onThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try body() }) }
            thread.start()
        }
    }
}
