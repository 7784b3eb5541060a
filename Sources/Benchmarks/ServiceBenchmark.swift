import AttendCore
import AttendHTTP
import Foundation
import HTTPServer
import JSON
import Logging
import TestSupport
import Transformer

#if canImport(Glibc)
    import Glibc
#endif

/// Measurements behind `attend bench`: the float formatter, the JSON writer and end-to-end `POST /attend`.
public enum ServiceBenchmark {
    /// Formats `count` pseudo-random floats, parses each back and counts the identical ones. Two thirds are
    /// values like a response's (probabilities in [0, 1), embedding-like values in [-3, 3)), one third arbitrary
    /// bit patterns (every exponent, subnormals included). The rate is measured on the response-like values
    /// alone, by wall clock and by the thread's CPU time.
    public static func floatFormatter(
        count: Int
    ) -> (verified: Int, floatsPerSecond: Double, floatsPerCPUSecond: Double) {
        var state: UInt64 = 0x5EED
        var values = [Float](repeating: 0, count: count)
        for i in 0..<count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            switch i % 3 {
            case 0: values[i] = Float(z >> 40) / Float(1 << 24)
            case 1: values[i] = (Float(z >> 40) / Float(1 << 24) - 0.5) * 6
            default: values[i] = Float(bitPattern: UInt32(truncatingIfNeeded: z) & 0x7F7F_FFFF)
            }
        }
        let timed = values.enumerated().filter { $0.offset % 3 != 2 }.map(\.element)
        var buffer = [UInt8](repeating: 0, count: FloatFormatter.maximumLength)
        var checksum = 0
        let start = ContinuousClock.now
        let cpuStart = threadCPUSeconds()
        buffer.withUnsafeMutableBufferPointer { out in
            for v in timed { checksum &+= FloatFormatter.writeShortest(v, to: out.baseAddress!) }
        }
        let cpu = threadCPUSeconds() - cpuStart
        let elapsed = (ContinuousClock.now - start).seconds
        var verified = 0
        for v in values {
            let n = buffer.withUnsafeMutableBufferPointer { FloatFormatter.writeShortest(v, to: $0.baseAddress!) }
            if Float(String(decoding: buffer[0..<n], as: UTF8.self)) == v { verified += 1 }
        }
        return (checksum > 0 ? verified : 0, Double(timed.count) / elapsed, Double(timed.count) / cpu)
    }

    /// Writes the `POST /attend` response of one `length`-token sequence with every layer's maps repeatedly.
    public static func jsonWriter(
        model: ServedModel, length: Int, seconds: Double
    ) -> (bytes: Int, megabytesPerSecond: Double, megabytesPerCPUSecond: Double, megabytesPerSecondPrecision4: Double) {
        let c = model.configuration
        let ids = (0..<length).map { Int32(($0 * 7919 + 101) % c.vocabularySize) }
        let encoding = Encoding(
            tokens: ids.map { model.tokenizer.token(for: $0) ?? "" }, ids: ids,
            offsets: Array(repeating: nil, count: length), wordIDs: Array(repeating: nil, count: length),
            specialTokensMask: Array(repeating: false, count: length))
        let input = SequenceInput(kind: .inputIDs, encodings: [encoding])
        var job = AttendJob(
            model: model, input: input, layers: Array(0..<c.layers), heads: Array(0..<c.heads), attentions: true,
            hiddenStates: false, analysis: false, pooling: model.defaultPooling, normalize: model.defaultNormalize,
            precision: nil, estimate: JobEstimate(responseBytes: 0, memoryBytes: 0))
        guard let outputs = try? model.encoder.forward(job.encoderInputs, options: ForwardOptions()) else {
            return (0, 0, 0, 0)
        }
        let results = outputs.map {
            SequenceResult(
                output: $0, pooled: Encoder.pool($0.lastHiddenState, job.pooling, normalize: job.normalize),
                summary: nil)
        }
        func rate() -> (Int, Double, Double) {
            var total = 0
            var bytes = 0
            let start = ContinuousClock.now
            let cpuStart = threadCPUSeconds()
            while (ContinuousClock.now - start).seconds < seconds || total == 0 {
                let w = JSONWriter(capacity: max(bytes, 1 << 20))
                AttendResponseWriter.write(job, results: results, into: w)
                bytes = w.count
                total += bytes
            }
            let cpu = threadCPUSeconds() - cpuStart
            return (bytes, Double(total) / (ContinuousClock.now - start).seconds / 1e6, Double(total) / cpu / 1e6)
        }
        let (bytes, shortest, shortestCPU) = rate()
        job.precision = 4
        let (_, fixed, _) = rate()
        return (bytes, shortest, shortestCPU, fixed)
    }

    /// Median latency of `POST /attend` (one `length`-token sequence, all maps) through a live server on
    /// loopback with keep-alive, next to the median bare forward pass of the same input and options.
    public static func endToEnd(
        model: ServedModel, length: Int, seconds: Double
    ) async throws -> (requestMilliseconds: Double, forwardMilliseconds: Double) {
        let c = model.configuration
        let ids = (0..<length).map { Int32(($0 * 7919 + 101) % c.vocabularySize) }
        let options = ForwardOptions(attentionLayers: Set(0..<c.layers))
        var forwardTimes: [Double] = []
        let forwardStart = ContinuousClock.now
        _ = try model.encoder.forward([EncoderInput(ids: ids)], options: options)
        while (ContinuousClock.now - forwardStart).seconds < seconds || forwardTimes.count < 5 {
            let start = ContinuousClock.now
            _ = try model.encoder.forward([EncoderInput(ids: ids)], options: options)
            forwardTimes.append((ContinuousClock.now - start).seconds * 1000)
        }
        let (app, server, port) = try loopbackService(model)
        let body = "{\"input_ids\":[" + ids.map(String.init).joined(separator: ",") + "]}"
        let requestTimes = try await Task.detached { () throws -> [Double] in
            let client = LoopbackClient(port: port)
            var times: [Double] = []
            let begin = ContinuousClock.now
            _ = try client.post("/attend", json: body)
            while (ContinuousClock.now - begin).seconds < seconds || times.count < 5 {
                let start = ContinuousClock.now
                let reply = try client.post("/attend", json: body)
                times.append((ContinuousClock.now - start).seconds * 1000)
                guard reply.status == 200 else { throw LoopbackClient.Failure(description: "status \(reply.status)") }
            }
            return times
        }.value
        await server.shutdown(deadline: .seconds(1))
        app.shutdown()
        return (median(requestTimes), median(forwardTimes))
    }

    /// CPU time of the calling thread, which is what a loaded machine does not steal.
    static func threadCPUSeconds() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }

    static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        return sorted.isEmpty ? 0 : sorted[sorted.count / 2]
    }

    /// `model` served by the whole service (no batching wait, warnings only) on a free loopback port.
    static func loopbackService(_ model: ServedModel) throws -> (app: AttendApp, server: Server, port: Int) {
        var configuration = ServiceConfiguration()
        configuration.server.host = "127.0.0.1"
        configuration.server.port = 0
        configuration.compute.maxWaitMilliseconds = 0
        let app = AttendApp(configuration: configuration, registry: ModelRegistry(models: [model]))
        var logger = Logger(label: "bench")
        logger.logLevel = .warning
        let server = Server(configuration: app.serverConfiguration, router: app.makeRouter(), logger: logger)
        return (app, server, try server.start())
    }
}
