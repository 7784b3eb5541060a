import Foundation
import Testing

@testable import Transformer

/// Builds a safetensors image from a header JSON string and a data section.
func safetensorsImage(header: String, data: [UInt8]) -> [UInt8] {
    let headerBytes = Array(header.utf8)
    var bytes: [UInt8] = []
    withUnsafeBytes(of: UInt64(headerBytes.count).littleEndian) { bytes.append(contentsOf: $0) }
    return bytes + headerBytes + data
}

func floatBytes(_ values: [Float]) -> [UInt8] {
    values.flatMap { value in withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }
}

@Suite struct SafetensorsTests {
    @Test func safetensors_ParsesTensorsAndMetadata_WhenWellFormed() throws {
        let header = """
            {"__metadata__":{"format":"pt"},"a":{"dtype":"F32","shape":[2,2],"data_offsets":[0,16]},\
            "b":{"dtype":"F16","shape":[3],"data_offsets":[16,22]},"c":{"dtype":"BF16","shape":[2],\
            "data_offsets":[22,26]},"d":{"dtype":"I64","shape":[1],"data_offsets":[26,34]}}
            """
        var data = floatBytes([1, -2, 3.5, 0.25])
        data += [0x00, 0x3C, 0x00, 0xC0, 0x01, 0x00]  // F16: 1, -2, smallest subnormal 2^-24
        data += [0x80, 0x3F, 0x40, 0xC0]  // BF16: 1, -3
        data += [UInt8](repeating: 7, count: 8)
        let file = try SafetensorsFile(bytes: safetensorsImage(header: header, data: data), path: "mem")
        #expect(file.metadata == ["format": "pt"])
        #expect(file.tensorNames == ["a", "b", "c", "d"])
        #expect(try file.tensor("a") == Tensor(shape: [2, 2], storage: [1, -2, 3.5, 0.25]))
        #expect(try file.tensor("b").storage == [1, -2, 0x1p-24])
        #expect(try file.tensor("c").storage == [1, -3])
        #expect(throws: TransformerError.unsupportedDType(file: "mem", tensor: "d", dtype: "I64")) {
            try file.tensor("d")
        }
        #expect(throws: TransformerError.missingTensor(file: "mem", tensor: "zzz")) { try file.tensor("zzz") }
        #expect(
            throws: TransformerError.shapeMismatch(file: "mem", tensor: "a", expected: [4], actual: [2, 2])
        ) { try file.tensor("a", shape: [4]) }
    }

    @Test func safetensors_ConvertsEveryHalf_Exactly() {
        // Spot values plus a full sweep against the platform conversion where it exists.
        #expect(SafetensorsFile.halfToFloat(0x7C00) == .infinity)
        #expect(SafetensorsFile.halfToFloat(0xFC00) == -.infinity)
        #expect(SafetensorsFile.halfToFloat(0x7E00).isNaN)
        #expect(SafetensorsFile.halfToFloat(0x8000).sign == .minus)
        #expect(SafetensorsFile.halfToFloat(0x3555) == Float(bitPattern: 0x3EAA_A000))
        #if arch(x86_64) || arch(arm64)
            #if !os(macOS)
                var mismatches = 0
                for bits in 0...UInt16.max {
                    let reference = Float(Float16(bitPattern: bits))
                    let mine = SafetensorsFile.halfToFloat(bits)
                    if !(reference.bitPattern == mine.bitPattern || (reference.isNaN && mine.isNaN)) {
                        mismatches += 1
                    }
                }
                #expect(mismatches == 0)
            #endif
        #endif
    }

    @Test func safetensors_ThrowsTruncated_WhenShorterThanLengthField() throws {
        #expect(
            throws: TransformerError.truncated(file: "mem", detail: "3 bytes, shorter than the 8-byte header length")
        ) {
            try SafetensorsFile(bytes: [1, 2, 3], path: "mem")
        }
    }

    @Test func safetensors_ThrowsTruncated_WhenHeaderLengthPastEnd() throws {
        var bytes = safetensorsImage(header: "{}", data: [])
        bytes.replaceSubrange(0..<8, with: [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F])
        let error = #expect(throws: TransformerError.self) { try SafetensorsFile(bytes: bytes, path: "mem") }
        guard case .truncated(let file, let detail) = error else {
            Issue.record("expected .truncated, got \(String(describing: error))")
            return
        }
        #expect(file == "mem")
        #expect(detail.contains("header length"))
    }

    @Test func safetensors_ThrowsTruncated_WhenDataCutShort() throws {
        let header = #"{"a":{"dtype":"F32","shape":[4],"data_offsets":[0,16]}}"#
        let bytes = safetensorsImage(header: header, data: floatBytes([1, 2, 3]))
        let error = #expect(throws: TransformerError.self) { try SafetensorsFile(bytes: bytes, path: "mem") }
        guard case .truncated(_, let detail) = error else {
            Issue.record("expected .truncated, got \(String(describing: error))")
            return
        }
        #expect(detail.contains("'a'"))
    }

    @Test func safetensors_ThrowsOutOfBounds_WhenOffsetPastEnd() throws {
        let header = """
            {"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},\
            "b":{"dtype":"F32","shape":[1],"data_offsets":[100,104]}}
            """
        let bytes = safetensorsImage(header: header, data: floatBytes([1, 2]))
        #expect(throws: TransformerError.tensorOutOfBounds(file: "mem", tensor: "b")) {
            try SafetensorsFile(bytes: bytes, path: "mem")
        }
    }

    @Test(arguments: [
        ("not json", "header is not valid JSON"),
        ("[1,2]", "header is not a JSON object"),
        (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}"#, "tensor 'a': 4 bytes for shape [2] of F32"),
        (#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, "tensor 'a': shape"),
        (#"{"a":{"dtype":"F32","shape":[1.5],"data_offsets":[0,4]}}"#, "tensor 'a': shape"),
        (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,0]}}"#, "tensor 'a': data_offsets"),
        (#"{"a":{"dtype":"F32","shape":[1]}}"#, "tensor 'a': data_offsets"),
        (#"{"a":{"shape":[1],"data_offsets":[0,4]}}"#, "tensor 'a': missing dtype"),
        (#"{"a":7}"#, "tensor 'a': entry is not an object"),
        (#"{"__metadata__":{"k":1}}"#, "__metadata__ value for 'k' is not a string"),
        (
            #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
            "overlaps"
        ),
    ])
    func safetensors_ThrowsInvalidHeader_WhenHeaderMalformed(header: String, message: String) throws {
        let bytes = safetensorsImage(header: header, data: floatBytes([1, 2, 3, 4]))
        let error = #expect(throws: TransformerError.self) { try SafetensorsFile(bytes: bytes, path: "mem") }
        guard case .invalidHeader(let file, let detail) = error else {
            Issue.record("expected .invalidHeader for \(header), got \(String(describing: error))")
            return
        }
        #expect(file == "mem")
        #expect(detail.contains(message), "\(detail) should mention \(message)")
    }

    @Test func safetensors_ThrowsUnsupportedDType_WhenDTypeUnknown() throws {
        let header = #"{"a":{"dtype":"F12","shape":[1],"data_offsets":[0,4]}}"#
        #expect(throws: TransformerError.unsupportedDType(file: "mem", tensor: "a", dtype: "F12")) {
            try SafetensorsFile(bytes: safetensorsImage(header: header, data: floatBytes([1])), path: "mem")
        }
    }

    @Test func safetensors_MapsFile_AndReportsMissingOrEmptyFiles() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { FixtureSupport.remove(directory) }
        let header = #"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}"#
        let path = directory + "/x.safetensors"
        try Data(safetensorsImage(header: header, data: floatBytes([4, 5]))).write(to: URL(fileURLWithPath: path))
        #expect(try SafetensorsFile(path: path).tensor("a").storage == [4, 5])
        #expect(throws: TransformerError.fileNotFound(file: directory + "/nope.safetensors")) {
            try SafetensorsFile(path: directory + "/nope.safetensors")
        }
        let empty = directory + "/empty.safetensors"
        try Data().write(to: URL(fileURLWithPath: empty))
        #expect(
            throws: TransformerError.truncated(file: empty, detail: "0 bytes, shorter than the 8-byte header length")
        ) {
            try SafetensorsFile(path: empty)
        }
    }

    /// A header padded with spaces to `8 + length ≡ alignment (mod 8)`, for images whose data starts where wanted.
    private func image(_ header: String, data: [UInt8], misaligned: Bool = false) -> [UInt8] {
        var header = header
        while (8 + header.utf8.count) % 8 != (misaligned ? 2 : 0) { header += " " }
        return safetensorsImage(header: header, data: data)
    }

    /// Runs of whole rows, at most `runFloats` floats each, concatenate to the tensor, for F32 read in place, F32
    /// copied (misaligned), F16 and BF16 converted.
    @Test(arguments: [("F32", false), ("F32", true), ("F16", false), ("BF16", true)])
    func safetensors_StreamsWholeRowRuns_ThatConcatenateToTheTensor(dtype: String, misaligned: Bool) throws {
        let rows = 70
        let width = 1_000  // 70,000 floats: runs of 65 rows, then 5
        let values = (0..<(rows * width)).map { Float($0 % 509) - 254 }
        let data: [UInt8]
        switch dtype {
        case "F32": data = floatBytes(values)
        case "F16":
            data = values.flatMap { v -> [UInt8] in
                // Integers up to 2048 in magnitude are exact in binary16.
                let bits = UInt16(Float16(v).bitPattern)
                return [UInt8(bits & 0xFF), UInt8(bits >> 8)]
            }
        default:
            data = values.flatMap { v in withUnsafeBytes(of: UInt16(v.bitPattern >> 16).littleEndian) { Array($0) } }
        }
        let size = dtype == "F32" ? 4 : 2
        let header = #"{"t":{"dtype":"\#(dtype)","shape":[\#(rows),\#(width)],"data_offsets":[0,\#(data.count)]}}"#
        #expect(data.count == rows * width * size)
        let file = try SafetensorsFile(bytes: image(header, data: data, misaligned: misaligned), path: "mem")
        var firstRows: [Int] = []
        var streamed: [Float] = []
        try file.forEachRun("t", width: width) { firstRow, run in
            #expect(run.count % width == 0 && run.count <= SafetensorsFile.runFloats)
            #expect(firstRow * width == streamed.count)
            firstRows.append(firstRow)
            streamed += run
        }
        #expect(firstRows == [0, 65])
        #expect(streamed == values)
        #expect(try file.tensor("t").storage == values)
    }

    @Test func safetensors_MapsAlignedF32Only_WhenAskedForMappedFloats() throws {
        let directory = try FixtureSupport.temporaryDirectory()
        defer { FixtureSupport.remove(directory) }
        let header =
            #"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},"b":{"dtype":"F16","shape":[2],"#
            + #""data_offsets":[12,16]},"c":{"dtype":"F32","shape":[1],"data_offsets":[16,20]}}"#
        let data = floatBytes([1, 2, 3]) + [0x00, 0x3C, 0x00, 0xC0] + floatBytes([7])
        for misaligned in [false, true] {
            let path = directory + "/\(misaligned).safetensors"
            let bytes = image(header, data: data, misaligned: misaligned)
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            let file = try SafetensorsFile(path: path)
            if misaligned {
                #expect(file.mappedFloats("a") == nil)
            } else {
                let a = try #require(file.mappedFloats("a"))
                #expect(Array(UnsafeBufferPointer(start: a.floats, count: a.count)) == [1, 2, 3])
                let c = try #require(file.mappedFloats("c"))
                #expect(c.floats.pointee == 7)
            }
            #expect(file.mappedFloats("b") == nil)
            #expect(file.mappedFloats("zzz") == nil)
            #expect(try SafetensorsFile(bytes: bytes, path: "mem").mappedFloats("a") == nil)
        }
    }

    #if os(Linux)
        /// Resident kB of the mappings of files whose path contains `fragment` (`/proc/self/smaps`).
        private func residentKilobytes(_ fragment: String) throws -> Int {
            let text = try #require(procText("/proc/self/smaps"))
            var total = 0
            var inside = false
            for line in text.split(separator: "\n") {
                if let first = line.split(separator: " ").first, first.contains("-"), first.first?.isHexDigit == true {
                    inside = line.contains(fragment)
                } else if inside, line.hasPrefix("Rss:") {
                    total += Int(line.split(separator: " ")[1]) ?? 0
                }
            }
            return total
        }

        /// `tensor` leaves the tensor's pages resident in the process; `forEachRun` releases them behind it.
        @Test func safetensors_ReleasesPages_AfterStreamingATensor() throws {
            let directory = try FixtureSupport.temporaryDirectory()
            defer { FixtureSupport.remove(directory) }
            let count = 1 << 20  // 4 MB
            let header = #"{"t":{"dtype":"F32","shape":[\#(count)],"data_offsets":[0,\#(count * 4)]}}"#
            let path = directory + "/big.safetensors"
            try Data(image(header, data: floatBytes((0..<count).map { Float($0) }))).write(
                to: URL(fileURLWithPath: path))
            let marker = URL(fileURLWithPath: directory).lastPathComponent
            let file = try SafetensorsFile(path: path)
            #expect(try residentKilobytes(marker) <= 8)
            #expect(try file.tensor("t").count == count)
            #expect(try residentKilobytes(marker) >= 4 * count / 1024 / 2)
            var sum = 0.0
            try file.forEachRun("t", width: 1) { _, run in
                for value in run { sum += Double(value) }
            }
            #expect(sum == Double(count) * Double(count - 1) / 2)
            #expect(try residentKilobytes(marker) <= 8)
        }
    #endif
}
