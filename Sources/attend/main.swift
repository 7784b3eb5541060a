import AttendService
import Transformer

// Temporary (encoder branch): `attend bench [threads]` runs EncoderBenchmark on a seeded MiniLM-L6-shaped encoder.
// The service helper replaces this file with the real command-line interface.
let arguments = CommandLine.arguments
if arguments.count > 1, arguments[1] == "kernels" {
    for (name, ns) in EncoderBenchmark.kernelCosts() { print(name, ns, "ns/element") }
} else if arguments.count > 1, arguments[1] == "bench" {
    if arguments.count > 2, let threads = Int(arguments[2]) { Compute.setThreads(threads) }
    do {
        let encoder = try Encoder.seeded(EncoderConfiguration())
        // Optional shapes after the thread count, e.g. `attend bench 2 32x128`.
        let shapes = arguments.dropFirst(3).compactMap { text -> (batch: Int, length: Int)? in
            let parts = text.split(separator: "x").compactMap { Int($0) }
            return parts.count == 2 ? (parts[0], parts[1]) : nil
        }
        print(
            try EncoderBenchmark.run(encoder, shapes: shapes.isEmpty ? EncoderBenchmark.standardShapes : shapes).table)
    } catch {
        print("bench failed: \(error)")
    }
} else {
    print("attend")
}
