#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// Parse-rate benchmark for the HTTP1 parser, compiled with Sources/HTTP1/*.swift by scripts/bench-http1.
// Feeds batches of pipelined requests (as a socket read would) and counts complete requests per second of this
// thread's CPU time (so other processes on the machine do not skew the figure).

@main
enum HTTP1Bench {
    static func measure(_ name: String, request: [UInt8], perBatch: Int, batches: Int) {
        var batch: [UInt8] = []
        for _ in 0..<perBatch { batch += request }
        var parser = RequestParser()
        var requests = 0
        var bodyBytes = 0
        let started = cpuSeconds()
        do {
            for _ in 0..<batches {
                batch.withUnsafeBytes { parser.append($0) }
                do {
                    while let event = try parser.next() {
                        switch event {
                        case .head: break
                        case .body(let bytes): bodyBytes += bytes.count
                        case .end: requests += 1
                        }
                    }
                } catch {
                    print("error: \(error)")
                    return
                }
            }
        }
        let seconds = cpuSeconds() - started
        let rate = Double(requests) / seconds
        print("\(name): \(requests) requests in \(seconds) s CPU = \(Int(rate)) requests/s (\(bodyBytes) body bytes)")
    }

    static func cpuSeconds() -> Double {
        var spec = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &spec)
        return Double(spec.tv_sec) + Double(spec.tv_nsec) * 1e-9
    }

    static func main() {
        let simple = Array("GET /health HTTP/1.1\r\nHost: localhost:8080\r\n\r\n".utf8)
        let wrk = Array(
            ("GET /plaintext HTTP/1.1\r\nHost: localhost:8080\r\nUser-Agent: wrk/4.2\r\n"
                + "Accept: */*\r\nConnection: keep-alive\r\n\r\n").utf8)
        let post = Array(
            ("POST /attend HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 27\r\n\r\n{\"text\":\"hello attention\"}").utf8)
        measure("simple GET", request: simple, perBatch: 64, batches: 40_000)
        measure("wrk-like GET", request: wrk, perBatch: 64, batches: 20_000)
        measure("small POST", request: post, perBatch: 64, batches: 20_000)
    }
}
