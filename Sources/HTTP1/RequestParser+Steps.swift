#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// The state machine of `RequestParser`, over the buffered bytes.
extension RequestParser {
    /// What the header section said about framing, gathered while parsing field lines.
    struct Framing: Sendable {
        var contentLength: Int?
        var hasTransferEncoding = false
        var chunkedCount = 0
        var lastIsChunked = false
        var hasOtherCoding = false
        var hostCount = 0
    }

    /// A line's content (terminator excluded) and its total length (terminator included).
    struct Line {
        var content: Range<Int>
        var length: Int
    }

    /// Takes up to `remaining` buffered body bytes, or nil when none are buffered.
    private mutating func takeBody(_ bytes: UnsafeBufferPointer<UInt8>, remaining: Int) -> [UInt8]? {
        let count = min(bytes.count - start, remaining)
        if count == 0 { return nil }
        defer { start += count }
        return Array(bytes[start..<(start + count)])
    }

    mutating func step(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) -> ParseEvent? {
        while true {
            switch state {
            case .requestLine:
                guard
                    let line = try nextLine(
                        bytes, limit: limits.maxRequestLineBytes, tooLong: .requestLineTooLong, strict: false)
                else { return nil }
                if line.content.isEmpty {
                    leadingBytes += line.length
                    if leadingBytes > limits.maxRequestLineBytes { throw .requestLineTooLong }
                    continue
                }
                leadingBytes = 0
                head = try parseRequestLine(UnsafeBufferPointer(rebasing: bytes[line.content]))
                headers = HTTPHeaders()
                headers.reserveCapacity(8)
                framing = Framing()
                sectionBytes = 0
                state = .headers

            case .headers:
                guard
                    let line = try nextLine(
                        bytes, limit: limits.maxHeaderBytes - sectionBytes, tooLong: .headerSectionTooLarge,
                        strict: false)
                else { return nil }
                sectionBytes += line.length
                if line.content.isEmpty {
                    return .head(try finishHead())
                }
                try parseFieldLine(UnsafeBufferPointer(rebasing: bytes[line.content]), isTrailer: false)

            case .fixedBody(let remaining):
                guard let chunk = takeBody(bytes, remaining: remaining) else { return nil }
                state = remaining == chunk.count ? .end : .fixedBody(remaining: remaining - chunk.count)
                return .body(chunk)

            case .chunkSize:
                guard
                    let line = try nextLine(
                        bytes, limit: limits.maxChunkLineBytes, tooLong: .chunkLineTooLong, strict: true)
                else { return nil }
                let size = try parseChunkSize(UnsafeBufferPointer(rebasing: bytes[line.content]))
                if size == 0 {
                    headers = HTTPHeaders()
                    sectionBytes = 0
                    state = .trailers
                } else {
                    if size > limits.maxBodyBytes - bodyTotal { throw .chunkedBodyTooLarge }
                    bodyTotal += size
                    state = .chunkData(remaining: size)
                }

            case .chunkData(let remaining):
                guard let chunk = takeBody(bytes, remaining: remaining) else { return nil }
                state = remaining == chunk.count ? .chunkDataEnd : .chunkData(remaining: remaining - chunk.count)
                return .body(chunk)

            case .chunkDataEnd:
                let available = bytes.count - start
                if available >= 1, bytes[start] != ASCII.cr { throw .missingChunkCRLF }
                if available >= 2, bytes[start + 1] != ASCII.lf { throw .missingChunkCRLF }
                if available < 2 { return nil }
                start += 2
                state = .chunkSize

            case .trailers:
                guard
                    let line = try nextLine(
                        bytes, limit: limits.maxHeaderBytes - sectionBytes, tooLong: .headerSectionTooLarge,
                        strict: false)
                else { return nil }
                sectionBytes += line.length
                if line.content.isEmpty {
                    state = .end
                    continue
                }
                try parseFieldLine(UnsafeBufferPointer(rebasing: bytes[line.content]), isTrailer: true)

            case .end:
                let trailers = headers
                headers = HTTPHeaders()
                head = nil
                bodyTotal = 0
                state = .requestLine
                return .end(trailers: trailers)

            case .failed(let error):
                throw error
            }
        }
    }

    /// Finds the next line from `start`; nil when no LF is buffered yet. Throws `tooLong` as soon as the line
    /// (terminator included) exceeds `limit` bytes. With `strict`, the line must end in CRLF.
    mutating func nextLine(
        _ bytes: UnsafeBufferPointer<UInt8>, limit: Int, tooLong: ParseError, strict: Bool
    ) throws(ParseError) -> Line? {
        let end = bytes.count
        var index = end
        if start + scanned < end, let base = bytes.baseAddress,
            let found = memchr(base + start + scanned, Int32(ASCII.lf), end - start - scanned)
        {
            index = base.distance(to: found.assumingMemoryBound(to: UInt8.self))
        }
        if index == end {
            scanned = end - start
            if scanned > limit { throw tooLong }
            return nil
        }
        let length = index + 1 - start
        if length > limit { throw tooLong }
        var contentEnd = index
        if contentEnd > start, bytes[contentEnd - 1] == ASCII.cr {
            contentEnd -= 1
        } else if strict {
            throw .missingChunkCRLF
        }
        let line = Line(content: start..<contentEnd, length: length)
        start = index + 1
        scanned = 0
        return line
    }

    /// Parses `method SP request-target SP HTTP-version`.
    func parseRequestLine(_ line: UnsafeBufferPointer<UInt8>) throws(ParseError) -> RequestHead {
        let count = line.count
        var firstSpace = 0
        while firstSpace < count, line[firstSpace] != ASCII.space {
            let byte = line[firstSpace]
            if !ASCII.isTokenChar(byte) {
                throw byte == ASCII.cr ? .bareCarriageReturn : .invalidMethod
            }
            firstSpace += 1
        }
        if firstSpace == 0 || firstSpace == count { throw .invalidRequestLine }
        var secondSpace = firstSpace + 1
        while secondSpace < count, line[secondSpace] != ASCII.space {
            let byte = line[secondSpace]
            if !ASCII.isTargetChar(byte) {
                throw byte == ASCII.cr ? .bareCarriageReturn : .invalidTarget
            }
            secondSpace += 1
        }
        if secondSpace == firstSpace + 1 || secondSpace == count { throw .invalidRequestLine }
        let version = try parseVersion(UnsafeBufferPointer(rebasing: line[(secondSpace + 1)...]))
        let method = HTTPMethod.decode(UnsafeBufferPointer(rebasing: line[0..<firstSpace]))
        if method == .CONNECT { throw .connectNotSupported }
        let target = UnsafeBufferPointer(rebasing: line[(firstSpace + 1)..<secondSpace])
        guard let parts = RequestTarget.split(target) else { throw .invalidTarget }
        let isAsterisk = target.count == 1 && target[0] == UInt8(ascii: "*")
        if isAsterisk, method != .OPTIONS { throw .invalidTarget }
        let targetString = String(decoding: target, as: UTF8.self)
        let path: String
        if parts.path.isEmpty {
            path = "/"
        } else if parts.path.count == target.count {
            path = targetString
        } else {
            path = String(decoding: UnsafeBufferPointer(rebasing: target[parts.path]), as: UTF8.self)
        }
        let query = parts.query.map { String(decoding: UnsafeBufferPointer(rebasing: target[$0]), as: UTF8.self) }
        return RequestHead(
            method: method, target: targetString, path: path, query: query, version: version, headers: HTTPHeaders())
    }

    /// Parses `HTTP/DIGIT.DIGIT`: 1.x accepted, other well-formed versions 505, anything else 400.
    func parseVersion(_ bytes: UnsafeBufferPointer<UInt8>) throws(ParseError) -> HTTPVersion {
        for byte in bytes where byte == ASCII.cr { throw .bareCarriageReturn }
        let prefix: [UInt8] = [72, 84, 84, 80, 47]  // "HTTP/"
        guard bytes.count == 8 || bytes.count == 6 else { throw .invalidVersion }
        for index in 0..<5 where bytes[index] != prefix[index] { throw .invalidVersion }
        let major = bytes[5] &- 48
        guard major <= 9 else { throw .invalidVersion }
        if bytes.count == 6 {
            // `HTTP/2`, `HTTP/3`: how later versions name themselves; never valid for 1.
            throw major == 1 ? .invalidVersion : .unsupportedVersion
        }
        let minor = bytes[7] &- 48
        guard bytes[6] == UInt8(ascii: "."), minor <= 9 else { throw .invalidVersion }
        guard major == 1 else { throw .unsupportedVersion }
        return minor == 1 ? .http1_1 : HTTPVersion(major: 1, minor: Int(minor))
    }

    /// Parses `field-name ":" OWS field-value OWS` into `headers`, noting framing fields.
    mutating func parseFieldLine(_ line: UnsafeBufferPointer<UInt8>, isTrailer: Bool) throws(ParseError) {
        let first = line[0]
        if first == ASCII.space || first == ASCII.tab { throw .obsoleteLineFolding }
        let count = line.count
        var colon = 0
        while colon < count {
            let byte = line[colon]
            if byte == ASCII.colon { break }
            if !ASCII.isTokenChar(byte) {
                if byte == ASCII.space || byte == ASCII.tab {
                    var index = colon
                    while index < count, line[index] == ASCII.space || line[index] == ASCII.tab { index += 1 }
                    throw index < count && line[index] == ASCII.colon ? .whitespaceBeforeColon : .invalidHeaderName
                }
                throw byte == ASCII.cr ? .bareCarriageReturn : .invalidHeaderName
            }
            colon += 1
        }
        if colon == count { throw .missingColon }
        if colon == 0 { throw .invalidHeaderName }
        var valueStart = colon + 1
        var valueEnd = count
        while valueStart < valueEnd, line[valueStart] == ASCII.space || line[valueStart] == ASCII.tab {
            valueStart += 1
        }
        while valueEnd > valueStart, line[valueEnd - 1] == ASCII.space || line[valueEnd - 1] == ASCII.tab {
            valueEnd -= 1
        }
        for index in valueStart..<valueEnd where !ASCII.isFieldValueChar(line[index]) {
            throw line[index] == ASCII.cr ? .bareCarriageReturn : .invalidHeaderValue
        }
        if headers.count >= limits.maxHeaderCount { throw .tooManyHeaders }
        let name = UnsafeBufferPointer(rebasing: line[0..<colon])
        let value = UnsafeBufferPointer(rebasing: line[valueStart..<valueEnd])
        if !isTrailer {
            try noteFraming(name: name, value: value)
        }
        headers.append(
            HTTPHeaders.Field(
                name: String(decoding: name, as: UTF8.self), value: String(decoding: value, as: UTF8.self)))
    }

    /// Records Host, Content-Length and Transfer-Encoding from a header field line.
    mutating func noteFraming(
        name: UnsafeBufferPointer<UInt8>, value: UnsafeBufferPointer<UInt8>
    ) throws(ParseError) {
        switch name.count {
        case 4 where ASCII.equalsLowercase(name, "host"):
            framing.hostCount += 1
            for byte in value where !ASCII.isHostChar(byte) { throw .invalidHost }
        case 14 where ASCII.equalsLowercase(name, "content-length"):
            try noteContentLength(value)
        case 17 where ASCII.equalsLowercase(name, "transfer-encoding"):
            noteTransferEncoding(value)
        default:
            break
        }
    }

    /// `Content-Length = 1*DIGIT`, or a list of equal such values; all field lines must agree.
    mutating func noteContentLength(_ value: UnsafeBufferPointer<UInt8>) throws(ParseError) {
        for element in value.split(separator: ASCII.comma, omittingEmptySubsequences: false) {
            let digits = ASCII.trimmed(element)
            if digits.isEmpty { throw .invalidContentLength }
            var length = 0
            for byte in digits {
                let digit = byte &- 48
                guard digit <= 9 else { throw .invalidContentLength }
                let (times, overflow1) = length.multipliedReportingOverflow(by: 10)
                let (sum, overflow2) = times.addingReportingOverflow(Int(digit))
                if overflow1 || overflow2 { throw .invalidContentLength }
                length = sum
            }
            if let previous = framing.contentLength, previous != length { throw .conflictingContentLength }
            framing.contentLength = length
        }
    }

    /// Records the codings of a `Transfer-Encoding` field line (a list; empty elements ignored).
    mutating func noteTransferEncoding(_ value: UnsafeBufferPointer<UInt8>) {
        framing.hasTransferEncoding = true
        for element in value.split(separator: ASCII.comma, omittingEmptySubsequences: true) {
            let coding = ASCII.trimmed(element)
            if coding.isEmpty { continue }
            let name = ASCII.trimmed(coding.prefix { $0 != ASCII.semicolon })
            if ASCII.equalsIgnoringCase(name, "chunked".utf8) && name.count == coding.count {
                framing.chunkedCount += 1
                framing.lastIsChunked = true
            } else {
                framing.hasOtherCoding = true
                framing.lastIsChunked = false
            }
        }
    }

    /// Checks Host and framing at the end of the header section and chooses the body state.
    mutating func finishHead() throws(ParseError) -> RequestHead {
        guard var finished = head else { throw .invalidRequestLine }
        if framing.hostCount > 1 { throw .multipleHost }
        if framing.hostCount == 0, finished.version >= .http1_1 { throw .missingHost }
        if framing.hasTransferEncoding {
            if framing.contentLength != nil { throw .contentLengthWithTransferEncoding }
            if finished.version < .http1_1 { throw .transferEncodingInHTTP10 }
            if !framing.lastIsChunked || framing.chunkedCount > 1 { throw .chunkedNotFinal }
            if framing.hasOtherCoding { throw .unsupportedTransferCoding }
            bodyTotal = 0
            state = .chunkSize
        } else if let length = framing.contentLength {
            if length > limits.maxBodyBytes { throw .contentTooLarge }
            state = length > 0 ? .fixedBody(remaining: length) : .end
        } else {
            state = .end
        }
        finished.headers = headers
        headers = HTTPHeaders()
        head = nil
        return finished
    }

    /// `chunk-size [ chunk-ext ]` with `chunk-size = 1*16HEXDIG` and
    /// `chunk-ext = *( BWS ";" BWS name [ BWS "=" BWS value ] )` (extensions checked for controls, ignored).
    func parseChunkSize(_ line: UnsafeBufferPointer<UInt8>) throws(ParseError) -> Int {
        var size = 0
        var index = 0
        while index < line.count, let digit = ASCII.hexValue(line[index]) {
            if index == 16 { throw .invalidChunkSize }
            size = size << 4 | Int(digit)
            index += 1
        }
        if index == 0 || size < 0 { throw .invalidChunkSize }
        var rest = index
        while rest < line.count, line[rest] == ASCII.space || line[rest] == ASCII.tab { rest += 1 }
        if rest == line.count {
            if rest != index { throw .invalidChunkExtension }  // trailing whitespace without extension
            return size
        }
        if line[rest] != ASCII.semicolon {
            throw rest == index ? .invalidChunkSize : .invalidChunkExtension
        }
        for position in rest..<line.count where !ASCII.isFieldValueChar(line[position]) {
            throw .invalidChunkExtension
        }
        return size
    }
}
