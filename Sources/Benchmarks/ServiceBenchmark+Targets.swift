import AttendCore
import AttendHTTP
import Foundation
import HTTPServer
import JSON
import Logging
import TestSupport
import Transformer

/// Issue 11's targets in one run (`attend bench --targets`): the bare forward pass of one `length`-token
/// sequence with every map, `POST /attend` end to end over loopback for JSON, safetensors float32 and float16
/// (a Swift client reading the whole body on one keep-alive connection), and the streamed JSON writer's rate on
/// the engine's two workers for that body. The measurements are interleaved round by round (one of each per
/// round), so a loaded machine slows them alike; medians are reported.
extension ServiceBenchmark {
    /// The figures of ``targets(model:length:seconds:)``.
    public struct TargetReport: Sendable {
        public var forwardMilliseconds: Double
        /// Median milliseconds and body bytes per answer form, in the order JSON, float32, float16.
        public var forms: [(name: String, milliseconds: Double, bytes: Int)]
        /// The streamed writer on two workers, MB/s (wall clock, formatting only: the sink counts bytes).
        public var streamedWriterMegabytesPerSecond: Double
        /// The same parts on one writer, in order (one core).
        public var wholeWriterMegabytesPerSecond: Double
        /// The streamed writer's bytes per second of process CPU time (all threads): what the formatting costs,
        /// which a loaded machine disturbs far less than the wall-clock rate.
        public var streamedWriterMegabytesPerCPUSecond: Double
        /// One writer in order, bytes per second of its thread's CPU time.
        public var wholeWriterMegabytesPerCPUSecond: Double
        /// Parsing the JSON body with Attend's own `JSONParser`, median milliseconds (a client's share).
        public var parseMilliseconds: Double
        public var rounds: Int

        /// The report as text, with each ratio to the bare pass and the issue's bound.
        public var table: String {
            var lines = [
                "issue 11 targets, 1 sequence, every layer's and head's map, \(rounds) interleaved rounds (medians)",
                "bare forward pass                 \(Self.f(forwardMilliseconds, 2)) ms",
            ]
            let bounds = ["json": 2.0, "safetensors float32": 1.2, "safetensors float16": 1.15]
            for form in forms {
                let ratio = form.milliseconds / forwardMilliseconds
                let bound = bounds[form.name].map { "target <= \(Self.f($0, 2))x" } ?? ""
                lines.append(
                    "POST /attend \(form.name.padding(toLength: 20, withPad: " ", startingAt: 0)) "
                        + "\(Self.f(form.milliseconds, 2)) ms  \(Self.f(ratio, 2))x bare  \(bound)  "
                        + "\(Self.f(Double(form.bytes) / 1e6, 2)) MB")
            }
            lines.append(
                "JSON writer, streamed on 2 workers: \(Self.f(streamedWriterMegabytesPerSecond, 0)) MB/s "
                    + "(target >= 900); one writer in order: \(Self.f(wholeWriterMegabytesPerSecond, 0)) MB/s")
            lines.append(
                "JSON writer per CPU-second: streamed \(Self.f(streamedWriterMegabytesPerCPUSecond, 0)) MB "
                    + "(process CPU, all threads), one writer \(Self.f(wholeWriterMegabytesPerCPUSecond, 0)) MB "
                    + "(its thread's CPU)")
            lines.append("client parse of the JSON body (Attend's JSONParser): \(Self.f(parseMilliseconds, 2)) ms")
            return lines.joined(separator: "\n")
        }

        static func f(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
    }

    /// Measures the targets; each kind at least `seconds` in total (at least 5 rounds, at most 400).
    public static func targets(model: ServedModel, length: Int, seconds: Double) async throws -> TargetReport {
        let c = model.configuration
        let ids = (0..<length).map { Int32(($0 * 7919 + 101) % c.vocabularySize) }
        let options = ForwardOptions(attentionLayers: Set(0..<c.layers))
        let (app, server, port) = try loopbackService(model)
        defer { app.shutdown() }
        let idList = ids.map(String.init).joined(separator: ",")
        let forms = [
            ("json", ""), ("safetensors float32", #","format":"safetensors""#),
            ("safetensors float16", #","format":"safetensors","dtype":"float16""#),
        ]
        let bodies = forms.map { "{\"model\":\"\(model.name)\",\"input_ids\":[\(idList)]\($0.1)}" }

        // The writer's inputs: the same job and results as the JSON answer.
        let encoding = Encoding(
            tokens: ids.map { model.tokenizer.token(for: $0) ?? "" }, ids: ids,
            offsets: Array(repeating: nil, count: length), wordIDs: Array(repeating: nil, count: length),
            specialTokensMask: Array(repeating: false, count: length))
        let job = AttendJob(
            model: model, input: SequenceInput(kind: .inputIDs, encodings: [encoding]), layers: Array(0..<c.layers),
            heads: Array(0..<c.heads), attentions: true, hiddenStates: false, analysis: false,
            pooling: model.defaultPooling, normalize: model.defaultNormalize, precision: nil,
            estimate: JobEstimate(responseBytes: 0, memoryBytes: 0))
        let results = try await app.engine.run(job)
        let writerWorkers = Workers(count: 2, name: "bench-writer")
        defer { writerWorkers.shutdown() }

        let client = LoopbackClient(port: port)
        defer { client.close() }
        var forward: [Double] = []
        var request: [[Double]] = Array(repeating: [], count: forms.count)
        var sizes = Array(repeating: 0, count: forms.count)
        var streamed: [Double] = []
        var whole: [Double] = []
        var streamedCPU: [Double] = []
        var wholeCPU: [Double] = []
        var parse: [Double] = []
        var writerBytes = 0
        var lastJSON: [UInt8] = []
        // Warm-up: one of each.
        _ = try model.encoder.forward([EncoderInput(ids: ids)], options: options)
        for body in bodies { _ = try await post(client, body) }
        let begin = ContinuousClock.now
        var rounds = 0
        while rounds < 400, rounds < 5 || (ContinuousClock.now - begin).seconds < seconds * 6 {
            rounds += 1
            var start = ContinuousClock.now
            _ = try model.encoder.forward([EncoderInput(ids: ids)], options: options)
            forward.append((ContinuousClock.now - start).seconds * 1000)
            for (i, body) in bodies.enumerated() {
                start = ContinuousClock.now
                let reply = try await post(client, body)
                request[i].append((ContinuousClock.now - start).seconds * 1000)
                guard reply.status == 200 else {
                    throw LoopbackClient.Failure(description: "\(forms[i].0): status \(reply.status)")
                }
                sizes[i] = reply.body.count
                if i == 0 { lastJSON = reply.body }
            }
            start = ContinuousClock.now
            var cpuStart = EncoderBenchmark.processCPUTime()
            writerBytes = try await AttendResponseStream.countBytes(job, results: results, workers: writerWorkers)
            streamed.append((ContinuousClock.now - start).seconds)
            streamedCPU.append(EncoderBenchmark.processCPUTime() - cpuStart)
            start = ContinuousClock.now
            cpuStart = threadCPUSeconds()
            let w = JSONWriter(capacity: writerBytes + 4096)
            AttendResponseWriter.write(job, results: results, into: w)
            whole.append((ContinuousClock.now - start).seconds)
            wholeCPU.append(threadCPUSeconds() - cpuStart)
            if rounds <= 5 {
                start = ContinuousClock.now
                _ = try JSONParser().parse(lastJSON)
                parse.append((ContinuousClock.now - start).seconds * 1000)
            }
        }
        await server.shutdown(deadline: .seconds(1))
        let megabytes = Double(writerBytes) / 1e6
        return TargetReport(
            forwardMilliseconds: median(forward),
            forms: forms.indices.map { (forms[$0].0, median(request[$0]), sizes[$0]) },
            streamedWriterMegabytesPerSecond: megabytes / median(streamed),
            wholeWriterMegabytesPerSecond: megabytes / median(whole),
            streamedWriterMegabytesPerCPUSecond: megabytes / median(streamedCPU),
            wholeWriterMegabytesPerCPUSecond: megabytes / median(wholeCPU), parseMilliseconds: median(parse),
            rounds: rounds)
    }

    /// One request on the client's connection, on a thread of its own (the client blocks).
    private static func post(_ client: LoopbackClient, _ body: String) async throws -> LoopbackClient.Reply {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread {
                continuation.resume(with: Result { try client.post("/attend", json: body) })
            }
            thread.start()
        }
    }
}
