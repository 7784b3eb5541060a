// libFuzzer entry for the JSON parser and writer. Compiled together with Sources/JSON/*.swift by
// `scripts/fuzz/run json` (one module, so no import). Properties checked on every input:
//   1. parsing with the service's settings (`JSONParser(maximumDepth: 32)`, as RequestFields) never crashes or
//      hangs (ASan + Swift runtime checks + libFuzzer's -timeout), whatever the bytes: deep nesting, huge numbers,
//      invalid UTF-8, lone surrogates, control characters;
//   2. a failure's offset lies within the input; parsing the same bytes as a `String` (when they are valid UTF-8)
//      gives the same value or the same error;
//   3. on success the value has no nesting deeper than 32, no duplicate keys, only finite numbers whose text parses
//      to their `double`, and `int` agrees with `double`;
//   4. `JSONWriter().value(v)` re-parses to an equal value, and writing that value again gives the same bytes;
//   5. every string re-parses from `JSONString.quoted`; every number, written by `JSONWriter.double`,
//      `int` and `float` (shortest round-trip and fixed precisions), parses back to the value written.

private let serviceParser = JSONParser(maximumDepth: 32)

private func fail(_ message: String, _ input: [UInt8]) -> Never {
    let shown = String(decoding: input.prefix(512), as: UTF8.self).debugDescription
    fatalError("\(message)\ninput (\(input.count) bytes): \(shown)")
}

/// One `JSONWriter` call's output, parsed back (through the service parser, a lone value).
private func reparse(_ write: (JSONWriter) -> Void) -> JSONValue? {
    let writer = JSONWriter(capacity: 64)
    write(writer)
    return try? serviceParser.parse(writer.bytes)
}

private func checkNumber(_ n: JSONNumber, _ input: [UInt8]) {
    guard n.double.isFinite else { fail("non-finite number \(n.text)", input) }
    guard let again = Double(n.text), again == n.double || (again.isNaN && n.double.isNaN) else {
        fail("number text \(n.text) does not parse to \(n.double)", input)
    }
    if n.isIntegerLiteral && (n.text.contains(".") || n.text.contains("e") || n.text.contains("E")) {
        fail("\(n.text) marked as an integer literal", input)
    }
    if let i = n.int, Double(i) != n.double { fail("int \(i) differs from double \(n.double)", input) }

    // JSONWriter.double: integers exactly, others through Double.description (round-trip).
    guard case .number(let d)? = reparse({ $0.double(n.double) }), d.double == n.double else {
        fail("JSONWriter.double(\(n.double)) does not read back", input)
    }
    if let i = n.int {
        guard case .number(let w)? = reparse({ $0.int(i) }), w.int == i else {
            fail("JSONWriter.int(\(i)) does not read back", input)
        }
    }
    // Floats: shortest form must round-trip exactly; fixed precision must be within half an ulp of 10^-p of the
    // value (plus the float's own rounding).
    let f = Float(n.double)
    guard f.isFinite else { return }
    guard case .number(let s)? = reparse({ $0.float(f) }), Float(s.double) == f else {
        fail("JSONWriter.float(\(f)) (shortest) does not read back", input)
    }
    for precision in [0, 3, 9] {
        let fixed = reparse { writer in
            writer.precision = precision
            writer.float(f)
        }
        guard case .number(let p)? = fixed else {
            fail("JSONWriter.float(\(f)) at precision \(precision) is not a number", input)
        }
        let tolerance = 0.5000001 * pow10(-precision) + Double(f.ulp)
        if abs(p.double - Double(f)) > tolerance {
            fail("JSONWriter.float(\(f)) at precision \(precision) wrote \(p.text)", input)
        }
    }
}

private func pow10(_ e: Int) -> Double {
    var r = 1.0
    for _ in 0..<abs(e) { r *= 10 }
    return e < 0 ? 1 / r : r
}

/// Checks property 3 and 5 over the whole value; returns its depth (a scalar has depth 0).
private func walk(_ value: JSONValue, _ input: [UInt8]) -> Int {
    switch value {
    case .null, .bool: return 0
    case .number(let n):
        checkNumber(n, input)
        return 0
    case .string(let s):
        guard (try? serviceParser.parse(JSONString.quoted(s))) == .string(s) else {
            fail("JSONString.quoted(\(s.debugDescription)) does not read back", input)
        }
        return 0
    case .array(let items):
        return 1 + items.map { walk($0, input) }.reduce(0, max)
    case .object(let members):
        if Set(members.map(\.key)).count != members.count { fail("duplicate keys accepted", input) }
        var depth = 0
        for member in members {
            _ = walk(.string(member.key), input)
            depth = max(depth, walk(member.value, input))
        }
        return 1 + depth
    }
}

private func written(_ value: JSONValue) -> [UInt8] {
    let writer = JSONWriter(capacity: 64)
    writer.value(value)
    return writer.bytes
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let input = Array(UnsafeBufferPointer(start: data, count: size))
    let outcome: Result<JSONValue, JSONParseError> = Result { () throws(JSONParseError) in
        try serviceParser.parse(input)
    }
    if let text = String(validating: input, as: UTF8.self) {
        let fromString: Result<JSONValue, JSONParseError> = Result { () throws(JSONParseError) in
            try serviceParser.parse(text)
        }
        switch (outcome, fromString) {
        case (.success(let a), .success(let b)) where a == b: break
        case (.failure(let a), .failure(let b)) where a == b: break
        default: fail("bytes and String parses differ: \(outcome) vs \(fromString)", input)
        }
    }
    let value: JSONValue
    switch outcome {
    case .failure(let error):
        if error.offset < 0 || error.offset > size { fail("error offset out of range: \(error)", input) }
        return 0
    case .success(let v):
        value = v
    }
    let depth = walk(value, input)
    if depth > 32 { fail("accepted nesting depth \(depth) > 32", input) }

    let bytes = written(value)
    let again: JSONValue
    do {
        again = try serviceParser.parse(bytes)
    } catch {
        fail("the writer's output does not parse (\(error)): \(String(decoding: bytes, as: UTF8.self))", input)
    }
    if again != value { fail("re-parsed value differs: \(again) vs \(value)", input) }
    if written(again) != bytes { fail("writing the re-parsed value gives other bytes", input) }
    return 0
}
