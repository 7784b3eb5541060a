import Foundation
import Transformer

/// Resident memory of loading a model, from the kernel's own accounting (`/proc/self/status`, Linux): before the
/// load, after it, and the peak while loading, against the size of the weights the encoder holds.
public enum MemoryBenchmark {
    /// The resident-set figures of `/proc/self/status`, in bytes (zero where the kernel does not report one).
    public struct Sample: Sendable, Equatable {
        /// `VmRSS`: resident pages, anonymous + file-backed + shared memory.
        public var resident: Int
        /// `RssAnon`: resident anonymous pages (the heap, `mmap`ed allocations).
        public var anonymous: Int
        /// `RssFile`: resident pages of mapped files (the binary, libraries, a mapped checkpoint).
        public var file: Int
        /// `VmHWM`: the largest `VmRSS` since the process started or since ``resetPeak()``.
        public var peak: Int

        /// A sample from its figures.
        public init(resident: Int, anonymous: Int, file: Int, peak: Int) {
            self.resident = resident
            self.anonymous = anonymous
            self.file = file
            self.peak = peak
        }

        /// Parses the text of `/proc/self/status` (`Name:   1234 kB` lines); nil without a `VmRSS` line.
        public init?(status text: String) {
            var fields: [String: Int] = [:]
            for line in text.split(separator: "\n") {
                let parts = line.split(whereSeparator: { $0 == ":" || $0 == " " || $0 == "\t" })
                guard parts.count >= 2, let value = Int(parts[1]) else { continue }
                let unit = parts.count >= 3 && parts[2].lowercased() == "kb" ? 1024 : 1
                fields[String(parts[0])] = value * unit
            }
            guard let resident = fields["VmRSS"] else { return nil }
            self.init(
                resident: resident, anonymous: fields["RssAnon"] ?? 0, file: fields["RssFile"] ?? 0,
                peak: fields["VmHWM"] ?? resident)
        }
    }

    /// One `attend bench --memory` run.
    public struct Report: Sendable, Equatable {
        /// What was loaded (a checkpoint folder, or a seeded encoder).
        public var model: String
        /// Bytes of the encoder's float32 parameters (``Encoder/parameterCount`` × 4).
        public var weightBytes: Int
        /// Bytes of the checkpoint's `model.safetensors` (nil for a seeded model).
        public var fileBytes: Int?
        /// Before the load (its `peak` is the process's peak so far).
        public var before: Sample
        /// Right after the load, with the load's transient memory freed; `peak` is the load's peak when
        /// `peakWasReset` (else the process's peak so far, which the load dominates).
        public var afterLoad: Sample
        /// After one forward pass (1×128, no maps): the pages a request touches and the pass's workspace.
        public var afterPass: Sample
        /// After 1×128 passes over every token id once: every row of the word-embedding table read, so a table
        /// used in place from the mapped file is all resident (the ceiling a long-running service approaches).
        public var afterEveryID: Sample
        /// Whether `VmHWM` was reset just before the load.
        public var peakWasReset: Bool

        /// A text table in MB (10⁶ bytes), with each figure's ratio to the weights.
        public var table: String {
            func mb(_ bytes: Int) -> String { String(format: "%.1f", Double(bytes) / 1e6) }
            func ratio(_ bytes: Int) -> String { String(format: "%.2fx", Double(bytes) / Double(weightBytes)) }
            func pad(_ text: String, _ width: Int) -> String {
                text + String(repeating: " ", count: Swift.max(1, width - text.count))
            }
            var lines = ["model: \(model)"]
            var weights = "weights: \(mb(weightBytes)) MB of float32 parameters"
            if let fileBytes { weights += " (model.safetensors \(mb(fileBytes)) MB)" }
            lines.append(weights)
            lines.append(pad("MB", 22) + pad("VmRSS", 10) + pad("RssAnon", 10) + pad("RssFile", 10) + "VmHWM")
            let samples = [
                ("before load", before), ("after load", afterLoad), ("after a 1x128 pass", afterPass),
                ("after every id", afterEveryID),
            ]
            for (name, s) in samples {
                lines.append(
                    pad(name, 22) + pad(mb(s.resident), 10) + pad(mb(s.anonymous), 10) + pad(mb(s.file), 10)
                        + mb(s.peak))
            }
            lines.append(
                "after load: VmRSS \(mb(afterLoad.resident)) MB = \(ratio(afterLoad.resident)) the weights; "
                    + "load peak (VmHWM\(peakWasReset ? " reset before the load" : "")) \(mb(afterLoad.peak)) MB = "
                    + "\(ratio(afterLoad.peak)); every id read: VmRSS \(mb(afterEveryID.resident)) MB = "
                    + "\(ratio(afterEveryID.resident))")
            return lines.joined(separator: "\n")
        }
    }

    /// The current figures; nil where `/proc/self/status` is unavailable (not Linux).
    public static func sample() -> Sample? {
        // Read to the end: a /proc file's size reads as 0, and `String(contentsOfFile:)` then stops after one page.
        guard let handle = FileHandle(forReadingAtPath: "/proc/self/status") else { return nil }
        defer { try? handle.close() }
        guard let data = try? handle.readToEnd() else { return nil }
        return Sample(status: String(decoding: data, as: UTF8.self))
    }

    /// Resets `VmHWM` to the current `VmRSS` (writes 5 to `/proc/self/clear_refs`, Linux ≥ 4.0); false when the
    /// kernel refused.
    public static func resetPeak() -> Bool {
        guard let handle = FileHandle(forWritingAtPath: "/proc/self/clear_refs") else { return false }
        defer { try? handle.close() }
        do {
            try handle.write(contentsOf: Data("5".utf8))
            return true
        } catch {
            return false
        }
    }

    /// Samples, resets the peak, runs `load`, samples again, runs one 1×128 pass and samples, runs 1×128 passes over
    /// every token id and samples a last time.
    /// `name` and `file` describe the model in the report. Throws `load`'s error; nil off Linux.
    public static func run(
        name: String, file: String?, load: () throws -> Model
    ) throws -> Report? {
        guard let before = sample() else { return nil }
        let reset = resetPeak()
        let model = try load()
        guard let afterLoad = sample() else { return nil }
        let c = model.encoder.configuration
        var generator = BenchmarkHooks.Random(seed: 2024)
        let length = Swift.min(128, c.maxPositions)
        let ids = (0..<length).map { _ in Int32(generator.next() % UInt64(c.vocabularySize)) }
        _ = try model.encoder.forward([EncoderInput(ids: ids)], options: ForwardOptions())
        guard let afterPass = sample() else { return nil }
        for start in stride(from: 0, to: c.vocabularySize, by: length) {
            let ids = (start..<Swift.min(c.vocabularySize, start + length)).map { Int32($0) }
            _ = try model.encoder.forward([EncoderInput(ids: ids)], options: ForwardOptions())
        }
        guard let afterEveryID = sample() else { return nil }
        let fileBytes = file.flatMap { path -> Int? in
            (try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? Int
        }
        return withExtendedLifetime(model) {
            Report(
                model: name, weightBytes: model.encoder.parameterCount * 4, fileBytes: fileBytes, before: before,
                afterLoad: afterLoad, afterPass: afterPass, afterEveryID: afterEveryID,
                peakWasReset: reset)
        }
    }
}
