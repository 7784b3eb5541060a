// libFuzzer entry for the HTTP1 parser. Compiled together with Sources/HTTP1/*.swift by `scripts/fuzz/run http1`
// (one module, so no import; the JSON module they import is linked as an instrumented library). Properties
// checked on every input:
//   1. parsing never crashes (ASan + Swift runtime checks);
//   2. the outcome (events, consecutive body events merged, and the error) is the same whether the input is fed
//      whole, split at two positions taken from the input, or one byte at a time;
//   3. after next() returns nil, the parser holds no more than the largest line/section limit (limits are
//      enforced before the excess is buffered), and nextRequest() assembles the same requests;
//   4. every error maps to a 4xx/5xx status and encodes to a response without crashing.

private let fuzzLimits = ParserLimits(
    maxRequestLineBytes: 256, maxHeaderBytes: 512, maxHeaderCount: 16, maxBodyBytes: 1024, maxChunkLineBytes: 64)

private struct FuzzOutcome: Equatable {
    var events: [ParseEvent] = []
    var error: ParseError?
}

private func run(_ chunks: [ArraySlice<UInt8>]) -> FuzzOutcome {
    var parser = RequestParser(limits: fuzzLimits)
    var outcome = FuzzOutcome()
    for chunk in chunks {
        parser.append(chunk)
        do {
            while let event = try parser.next() {
                if case .body(let bytes) = event, case .body(let previous)? = outcome.events.last {
                    outcome.events[outcome.events.count - 1] = .body(previous + bytes)
                } else {
                    outcome.events.append(event)
                }
                if outcome.events.count > 10_000 { fatalError("runaway event stream") }
            }
        } catch {
            outcome.error = error
            return outcome
        }
        let bound = max(fuzzLimits.maxRequestLineBytes, fuzzLimits.maxHeaderBytes, fuzzLimits.maxChunkLineBytes)
        if parser.bufferedByteCount > bound { fatalError("buffered \(parser.bufferedByteCount) > \(bound)") }
    }
    return outcome
}

private func assemble(_ chunks: [ArraySlice<UInt8>]) -> ([Request], ParseError?) {
    var parser = RequestParser(limits: fuzzLimits)
    var requests: [Request] = []
    for chunk in chunks {
        parser.append(chunk)
        do {
            while let request = try parser.nextRequest() { requests.append(request) }
        } catch {
            return (requests, error)
        }
    }
    return (requests, nil)
}

private func requests(in outcome: FuzzOutcome) -> [Request] {
    var result: [Request] = []
    var current: Request?
    for event in outcome.events {
        switch event {
        case .head(let head): current = Request(head: head)
        case .body(let bytes): current?.body += bytes
        case .end(let trailers):
            if var request = current {
                request.trailers = trailers
                result.append(request)
            }
            current = nil
        }
    }
    return result
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzHTTP1(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let whole = run([input[...]])
    if size > 1 {
        let first = Int(input[0]) % size
        let second = first + Int(input[size - 1]) % (size - first)
        let split = run([input[..<first], input[first..<second], input[second...]])
        if split != whole { fatalError("split outcome differs: \(split) vs \(whole)") }
        let bytewise = run(input.indices.map { input[$0...$0] })
        if bytewise != whole { fatalError("bytewise outcome differs: \(bytewise) vs \(whole)") }
    }
    let assembled = assemble([input[...]])
    if assembled.0 != requests(in: whole) || assembled.1 != whole.error { fatalError("nextRequest differs") }
    var encoder = ResponseEncoder(clock: { 0 })
    if let error = whole.error {
        if !(400..<600).contains(error.status.code) { fatalError("bad status for \(error)") }
        var bytes: [UInt8] = []
        encoder.encodeError(error, into: &bytes)
    }
    for event in whole.events {
        if case .head(let head) = event {
            let response = Response(status: .ok, headers: head.headers, body: Array(head.target.utf8))
            _ = encoder.encode(
                response, requestMethod: head.method, requestVersion: head.version, keepAlive: head.keepAlive)
        }
    }
    return 0
}
