import Testing

@testable import HTTP1

/// What a parser made of an input: its events (consecutive body events merged) and the error, if any.
struct ParseOutcome: Equatable, CustomStringConvertible {
    var events: [ParseEvent] = []
    var error: ParseError?

    var description: String { "\(events) error: \(String(describing: error))" }

    var heads: [RequestHead] {
        events.compactMap {
            if case .head(let head) = $0 { return head }
            return nil
        }
    }

    var bodies: [[UInt8]] {
        var result: [[UInt8]] = []
        for event in events {
            switch event {
            case .head: result.append([])
            case .body(let bytes): result[result.count - 1].append(contentsOf: bytes)
            case .end: break
            }
        }
        return result
    }

    var trailers: [HTTPHeaders] {
        events.compactMap {
            if case .end(let trailers) = $0 { return trailers }
            return nil
        }
    }
}

/// Feeds `chunks` one after the other, draining events after each.
func parse(chunks: [ArraySlice<UInt8>], limits: ParserLimits = .default) -> ParseOutcome {
    var parser = RequestParser(limits: limits)
    var outcome = ParseOutcome()
    for chunk in chunks {
        parser.append(chunk)
        do {
            while let event = try parser.next() {
                if case .body(let bytes) = event, case .body(let previous)? = outcome.events.last {
                    outcome.events[outcome.events.count - 1] = .body(previous + bytes)
                } else {
                    outcome.events.append(event)
                }
            }
        } catch {
            outcome.error = error
            return outcome
        }
        // Limits hold before the excess is buffered: what is left is at most one partial line or section.
        let bound = max(limits.maxRequestLineBytes, limits.maxHeaderBytes, limits.maxChunkLineBytes)
        #expect(parser.bufferedByteCount <= bound)
    }
    return outcome
}

/// Parses `input` whole, split at every byte position, and one byte at a time; expects the same outcome each
/// way and returns it.
@discardableResult
func parseEverySplit(
    _ input: [UInt8], limits: ParserLimits = .default, sourceLocation: SourceLocation = #_sourceLocation
) -> ParseOutcome {
    let whole = parse(chunks: [input[...]], limits: limits)
    for split in 1..<max(input.count, 1) {
        let outcome = parse(chunks: [input[..<split], input[split...]], limits: limits)
        #expect(outcome == whole, "split at \(split)", sourceLocation: sourceLocation)
        if outcome != whole { break }
    }
    let bytewise = parse(chunks: input.indices.map { input[$0...$0] }, limits: limits)
    #expect(bytewise == whole, "one byte at a time", sourceLocation: sourceLocation)
    return whole
}

/// `parseEverySplit` of a string with `\n` written as CRLF unless `crlf` is false.
@discardableResult
func parseEverySplit(
    _ text: String, crlf: Bool = true, limits: ParserLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) -> ParseOutcome {
    let bytes = Array(text.utf8).flatMap { crlf && $0 == 10 ? [13, 10] : [$0] }
    return parseEverySplit(bytes, limits: limits, sourceLocation: sourceLocation)
}

/// Expects `text` (LF written as CRLF) to be rejected with `error` and the status code `status`, whole and
/// split at every byte.
func expectRejection(
    _ text: String, _ error: ParseError, status: Int, crlf: Bool = true, limits: ParserLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) {
    let outcome = parseEverySplit(text, crlf: crlf, limits: limits, sourceLocation: sourceLocation)
    #expect(outcome.error == error, sourceLocation: sourceLocation)
    #expect(outcome.error?.status.code == status, sourceLocation: sourceLocation)
    #expect(outcome.error?.closesConnection == true, sourceLocation: sourceLocation)
}

/// Expects `text` (LF written as CRLF) to parse without error, whole and split; returns the outcome.
@discardableResult
func expectAccepted(
    _ text: String, crlf: Bool = true, limits: ParserLimits = .default,
    sourceLocation: SourceLocation = #_sourceLocation
) -> ParseOutcome {
    let outcome = parseEverySplit(text, crlf: crlf, limits: limits, sourceLocation: sourceLocation)
    #expect(outcome.error == nil, sourceLocation: sourceLocation)
    return outcome
}
