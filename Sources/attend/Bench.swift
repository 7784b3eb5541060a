import ArgumentParser
import AttendCore
import AttendHTTP
import Benchmarks
import Foundation
import Logging
import Transformer

/// `attend bench`: forward-pass table, JSON writer throughput, end-to-end POST /attend latency.
struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract:
            "Measure the encoder, the JSON writer and end-to-end POST /attend on MiniLM (or a seeded MiniLM shape).")

    @Option(name: .long, help: "Checkpoint folder of MiniLM; a seeded encoder of the same shape when absent.")
    var model: String = "models/all-MiniLM-L6-v2"

    @Option(name: .long, help: "Seconds per measurement.")
    var seconds: Double = 2

    @Option(name: .long, help: "Compute threads (0 = every core).")
    var threads: Int = 0

    @Option(name: .long, help: "Forward-pass shapes as BATCHxLENGTH (repeatable); default 1x16, 1x128, 32x128.")
    var shapes: [String] = []

    @Flag(name: .long, help: "Print the encoder's per-element kernel costs and stop.")
    var kernels = false

    @Flag(name: .long, help: "Print the linear-layer products' GFLOP/s (packed panels vs OpenBLAS) and stop.")
    var products = false

    @Flag(
        name: .long,
        help: "Print resident memory (VmRSS, RssAnon, RssFile, VmHWM) before and after loading --model, and stop.")
    var memory = false

    @Flag(name: .long, help: "Print the analysis costs (rollout and entropy at n = 512, L = 6, H = 12) and stop.")
    var analysis = false

    @Flag(
        name: .long,
        help:
            "Print issue 11's targets (bare pass vs JSON, float32, float16 end to end at 1x128; writer MB/s) and stop.")
    var targets = false

    @Flag(name: .long, help: "Print the token-contribution costs (1x128, all layers, next to the bare pass) and stop.")
    var contributions = false

    @Option(
        name: .long,
        help: "With --contributions: interleaved rounds (bare pass next to each measure, per-round ratios).")
    var rounds: Int = 41

    @Option(name: .long, help: "With --contributions: rounds of the value-zeroing timing at 64 tokens (0 = skip).")
    var zeroingRounds: Int = 5

    @Option(
        name: .long,
        help: "With --contributions: time only these measures (comma-separated, e.g. norm_res_ln), each on its own.")
    var measures: String?

    @Flag(name: .long, help: "Print the occlusion cost (16-token sentence, 17 sequences, vs a plain batch) and stop.")
    var occlusion = false

    @Flag(
        name: .long,
        help: "Print the subword tokenizers' tokens/s (Tests/TransformerTests/Fixtures/tokenizers corpus) and stop.")
    var tokenizers = false

    @Flag(name: .long, help: "Print the probe costs (a 16-token sentence + 8 probes vs 9 plain sequences) and stop.")
    var probes = false

    @Flag(name: .long, help: "Print GFLOP/s per encoder family (seeded, MiniLM's sizes, 8x128) vs BERT, and stop.")
    var families = false

    @Flag(
        name: .long,
        help: "Print what the service's front door adds to GET /healthz (in-process, ns per request) and stop.")
    var frontDoor = false

    @Flag(name: .long, help: "Skip the forward-pass table (writer and end-to-end only).")
    var skipForward = false

    @Flag(name: .long, help: "Print the forward-pass table only (no writer or end-to-end figures).")
    var forwardOnly = false

    func run() async throws {
        AllocatorTuning.apply()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = .warning
            return handler
        }
        if threads > 0 { Compute.setThreads(threads) }
        if frontDoor {
            let cost = await ServiceBenchmark.frontDoor()
            print("GET /healthz routed and encoded in-process, thread CPU, median of 11 alternating rounds of 50,000")
            print(String(format: "service router   %8.0f ns/request", cost.serviceNanoseconds))
            print(String(format: "bare router      %8.0f ns/request", cost.bareNanoseconds))
            print(String(format: "front door adds  %8.0f ns/request", cost.differenceNanoseconds))
            print("per round (ns):", cost.differences.map { String(Int($0.rounded())) }.joined(separator: " "))
            return
        }
        if kernels {
            for (name, ns) in EncoderBenchmark.kernelCosts() { print(name, ns, "ns/element") }
            return
        }
        if analysis {
            print(EncoderBenchmark.analysisCosts().table)
            return
        }
        if products {
            print("m     k     n     workers  weight  panels GFLOP/s  OpenBLAS GFLOP/s")
            for r in EncoderBenchmark.productCosts() {
                print(
                    [
                        String(r.m).padding(toLength: 6, withPad: " ", startingAt: 0),
                        String(r.k).padding(toLength: 6, withPad: " ", startingAt: 0),
                        String(r.n).padding(toLength: 6, withPad: " ", startingAt: 0),
                        String(r.workers).padding(toLength: 9, withPad: " ", startingAt: 0),
                        (r.cold ? "cold" : "hot").padding(toLength: 8, withPad: " ", startingAt: 0),
                        format(r.panelGigaflops, 1).padding(toLength: 16, withPad: " ", startingAt: 0),
                        format(r.blasGigaflops, 1),
                    ].joined())
            }
            return
        }
        if memory {
            try measureMemory()
            return
        }
        if tokenizers {
            let fixtures = "Tests/TransformerTests/Fixtures/tokenizers"
            print(try TokenizerBenchmark.run(fixtures: fixtures, seconds: seconds).table)
            return
        }
        if families {
            let rows = try EncoderBenchmark.familyCosts(seconds: seconds)
            print(EncoderBenchmark.familyTable(rows, batch: 8, length: 128))
            return
        }
        let served: ServedModel
        if FileManager.default.fileExists(atPath: model + "/config.json") {
            served = ServedModel(name: "minilm", model: try CheckpointLoader.load(directory: model))
            print("model: \(model) (checkpoint)")
        } else {
            served = ServedModel(name: "minilm-shaped", model: try Model.seeded(EncoderConfiguration()))
            print("model: seeded MiniLM-shaped encoder (\(model) not found)")
        }
        print("threads: \(Compute.threads)\n")
        if targets {
            print(try await ServiceBenchmark.targets(model: served, length: 128, seconds: seconds).table)
            return
        }
        if contributions {
            var only: Set<ContributionMeasure>?
            if let measures {
                let names = measures.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) }
                let parsed = names.compactMap(ContributionMeasure.init(rawValue:))
                guard parsed.count == names.count, !parsed.isEmpty else {
                    let allowed = ContributionMeasure.allCases.map(\.rawValue).joined(separator: ", ")
                    throw ValidationError("--measures takes a comma-separated list of: \(allowed)")
                }
                only = Set(parsed)
            }
            print(
                try EncoderBenchmark.contributionCosts(
                    served.encoder, rounds: Swift.max(1, rounds), zeroingRounds: Swift.max(0, zeroingRounds),
                    only: only
                ).table)
            return
        }
        if occlusion {
            print(try await ServiceBenchmark.occlusion(model: served, seconds: seconds).table)
            return
        }
        if probes {
            print(try EncoderBenchmark.probeCosts(served.encoder).table)
            return
        }
        if !skipForward {
            let parsed = shapes.compactMap { text -> (batch: Int, length: Int)? in
                let parts = text.split(separator: "x").compactMap { Int($0) }
                return parts.count == 2 ? (parts[0], parts[1]) : nil
            }
            let report = try EncoderBenchmark.run(
                served.encoder, shapes: parsed.isEmpty ? EncoderBenchmark.standardShapes : parsed, seconds: seconds)
            print(report.table)
            print()
        }
        if forwardOnly { return }
        let formatter = ServiceBenchmark.floatFormatter(count: 10_000_000)
        print(
            "float formatter: \(formatter.verified) random floats written and read back identically, "
                + "\(format(formatter.floatsPerSecond / 1e6, 1)) M floats/s wall, "
                + "\(format(formatter.floatsPerCPUSecond / 1e6, 1)) M floats per CPU-second")
        let writer = ServiceBenchmark.jsonWriter(model: served, length: 128, seconds: seconds)
        print(
            "JSON writer, 1x128 all maps (\(writer.bytes) bytes): \(format(writer.megabytesPerSecond, 0)) MB/s "
                + "shortest (\(format(writer.megabytesPerCPUSecond, 0)) MB per CPU-second), "
                + "\(format(writer.megabytesPerSecondPrecision4, 0)) MB/s precision 4")
        let e2e = try await ServiceBenchmark.endToEnd(model: served, length: 16, seconds: seconds)
        print(
            "POST /attend 1x16 all maps over loopback: median \(format(e2e.requestMilliseconds, 3)) ms, "
                + "bare forward median \(format(e2e.forwardMilliseconds, 3)) ms, "
                + "ratio \(format(e2e.requestMilliseconds / e2e.forwardMilliseconds, 2))x")
    }

    /// `--memory`: loads `model` (or a seeded MiniLM shape) once, between samples of /proc/self/status.
    private func measureMemory() throws {
        let checkpoint = FileManager.default.fileExists(atPath: model + "/config.json")
        let name = checkpoint ? "\(model) (checkpoint)" : "seeded MiniLM-shaped encoder (\(model) not found)"
        let report = try MemoryBenchmark.run(name: name, file: checkpoint ? model + "/model.safetensors" : nil) {
            checkpoint ? try CheckpointLoader.load(directory: model) : try Model.seeded(EncoderConfiguration())
        }
        guard let report else {
            print("--memory needs /proc/self/status (Linux)")
            return
        }
        print(report.table)
    }

    private func format(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }
}
