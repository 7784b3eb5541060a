import AttendCore
import Foundation
import JSON
import Transformer

/// Writes the `POST /attend` answer as one safetensors file (README "Binary output"): the 8-byte little-endian
/// header length, the JSON header padded with spaces so the data starts 8-byte aligned, then every tensor's
/// little-endian bytes, contiguous, in header order.
///
/// The layout (every tensor's name, type, shape and byte range) is planned first, from the job and the results'
/// shapes; the file is then written into one buffer of exactly its size, each tensor straight from the encoder
/// output (float32 copied, float16 and bfloat16 converted in place), without intermediate copies.
package enum SafetensorsWriter {
    /// The `format_version` metadata value; bumped when names or layouts change.
    package static let formatVersion = "1"

    /// One tensor of the file: where its values come from and how many bytes they take.
    struct Item {
        enum DType: String {
            case f32 = "F32", f16 = "F16", bf16 = "BF16", i32 = "I32"

            var size: Int { self == .f16 || self == .bf16 ? 2 : 4 }
        }

        var name: String
        var dtype: DType
        var shape: [Int]
        /// Writes exactly `count × dtype.size` bytes at the pointer.
        var fill: (UnsafeMutableRawPointer) -> Void

        var count: Int { shape.reduce(1, *) }
        var bytes: Int { count * dtype.size }
    }

    /// The whole file for `job`'s `results`.
    package static func write(_ job: AttendJob, results: [SequenceResult]) -> [UInt8] {
        let (metadata, items) = plan(job, results: results)
        let header = header(metadata: metadata, items: items)
        let padded = (header.count + 8 + 7) / 8 * 8 - 8
        let total = 8 + padded + items.reduce(0) { $0 + $1.bytes }
        return [UInt8](unsafeUninitializedCapacity: total) { buffer, initialized in
            let base = UnsafeMutableRawPointer(buffer.baseAddress!)
            base.storeBytes(of: UInt64(padded).littleEndian, as: UInt64.self)
            header.withUnsafeBytes { base.advanced(by: 8).copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
            memset(base.advanced(by: 8 + header.count), 0x20, padded - header.count)
            var offset = 8 + padded
            for item in items {
                item.fill(base.advanced(by: offset))
                offset += item.bytes
            }
            initialized = total
        }
    }

    /// The exact size of the file `write` would produce.
    package static func size(_ job: AttendJob, results: [SequenceResult]) -> Int {
        let (metadata, items) = plan(job, results: results)
        let header = header(metadata: metadata, items: items)
        return 8 + (header.count + 8 + 7) / 8 * 8 - 8 + items.reduce(0) { $0 + $1.bytes }
    }

    /// `{"__metadata__":{...},"name":{"dtype","shape","data_offsets"},...}` in data order.
    static func header(metadata: [(String, String)], items: [Item]) -> [UInt8] {
        let w = JSONWriter(capacity: 256 + items.count * 96 + metadata.reduce(0) { $0 + $1.1.utf8.count + 32 })
        w.raw("{\"__metadata__\":{")
        for (i, (key, value)) in metadata.enumerated() {
            if i > 0 { w.byte(UInt8(ascii: ",")) }
            w.string(key)
            w.byte(UInt8(ascii: ":"))
            w.string(value)
        }
        w.byte(UInt8(ascii: "}"))
        var offset = 0
        for item in items {
            w.byte(UInt8(ascii: ","))
            w.string(item.name)
            w.raw(":{\"dtype\":\"")
            w.raw(bytes: Array(item.dtype.rawValue.utf8))
            w.raw("\",\"shape\":")
            w.ints(item.shape)
            w.raw(",\"data_offsets\":[")
            w.int(offset)
            w.byte(UInt8(ascii: ","))
            offset += item.bytes
            w.int(offset)
            w.raw("]}")
        }
        w.byte(UInt8(ascii: "}"))
        return w.bytes
    }

    /// A metadata value: a small JSON document rendered to a string.
    static func json(_ body: (JSONWriter) -> Void) -> String {
        let w = JSONWriter(capacity: 256)
        body(w)
        return String(decoding: w.bytes, as: UTF8.self)
    }

    /// Every tensor and metadata entry of the answer, in file order.
    static func plan(_ job: AttendJob, results: [SequenceResult]) -> (metadata: [(String, String)], items: [Item]) {
        let dtype: Item.DType =
            switch job.form.dtype {
            case .float32: .f32
            case .float16: .f16
            case .bfloat16: .bf16
            }
        var metadata: [(String, String)] = [
            ("format", "attend"), ("format_version", formatVersion), ("model", job.model.name),
            ("layers", json { $0.ints(job.layers) }), ("heads", json { $0.ints(job.heads) }),
            ("dtype", job.form.dtype.rawValue), ("results", String(results.count)),
            ("tokens", String(job.input.totalTokens)),
        ]
        if let rows = job.form.rows { metadata.append(("rows", json { $0.ints(rows) })) }
        switch job.form.keys {
        case .all: break
        case .topK(let k): metadata.append(("top_k", String(k)))
        case .threshold(let t): metadata.append(("threshold", json { $0.float(t) }))
        }
        var items: [Item] = []
        func floats(_ name: String, _ shape: [Int], _ storage: [Float]) {
            items.append(Item(name: name, dtype: dtype, shape: shape) { write(storage[...], dtype, to: $0) })
        }
        for (i, (encoding, result)) in zip(job.input.encodings, results).enumerated() {
            let prefix = "results.\(i)."
            metadata.append((prefix + "tokens", json { $0.strings(encoding.tokens) }))
            metadata.append((prefix + "input_ids", json { $0.ints(encoding.ids) }))
            switch job.input.kind {
            case .text:
                metadata.append(
                    (prefix + "offsets", json { AttendResponseWriter.writeOffsets(encoding.offsets, into: $0) }))
            case .tokens:
                metadata.append(
                    (prefix + "word_ids", json { AttendResponseWriter.writeWordIDs(encoding.wordIDs, into: $0) }))
            case .inputIDs:
                break
            }
            if let start = encoding.secondSegmentStart, let sequences = encoding.sequenceIDs {
                metadata.append((prefix + "token_type_ids", json { $0.ints(encoding.typeIDs) }))
                metadata.append(
                    (prefix + "sequence_ids", json { AttendResponseWriter.writeWordIDs(sequences, into: $0) }))
                metadata.append((prefix + "sentence_b_start", String(start)))
            }
            let output = result.output
            let hidden = output.lastHiddenState
            let n = hidden.shape[0]
            floats(prefix + "embeddings", hidden.shape, hidden.storage)
            if let pooled = result.pooled { floats(prefix + "pooled", [pooled.count], pooled) }
            if job.attentions {
                let rows = job.rows(n)
                if job.form.rows != nil { metadata.append((prefix + "rows", json { $0.ints(rows) })) }
                for layer in job.layers {
                    guard let map = output.attentions[layer] else { continue }
                    // The pass kept exactly the selected heads, in request order: positions in `map`.
                    let heads = Array(0..<map.shape[0])
                    let name = prefix + "attentions.\(layer)"
                    if job.form.keys.isSparse {
                        let sparse = SparseRows(map: map, heads: heads, rows: rows, keys: job.form.keys)
                        let dims = [heads.count, rows.count]
                        if case .topK = job.form.keys {
                            let k = job.form.keys.maximumKept(n)
                            items.append(int32(name + ".indices", dims + [k], sparse.indices))
                            floats(name + ".values", dims + [k], sparse.values)
                        } else {
                            items.append(int32(name + ".indptr", [sparse.indptr.count], sparse.indptr))
                            items.append(int32(name + ".indices", [sparse.indices.count], sparse.indices))
                            floats(name + ".values", [sparse.values.count], sparse.values)
                        }
                        floats(name + ".dropped", dims, sparse.dropped)
                        continue
                    }
                    items.append(
                        Item(name: name, dtype: dtype, shape: [heads.count, rows.count, n]) { out in
                            var p = out
                            for head in heads {
                                for row in rows {
                                    let start = (head * n + row) * n
                                    write(map.storage[start..<(start + n)], dtype, to: p)
                                    p += n * dtype.size
                                }
                            }
                        })
                }
            }
            if job.hiddenStates, let states = output.hiddenStates, let first = states.first {
                items.append(
                    Item(name: prefix + "hidden_states", dtype: dtype, shape: [states.count] + first.shape) { out in
                        var p = out
                        for state in states {
                            write(state.storage[...], dtype, to: p)
                            p += state.count * dtype.size
                        }
                    })
            }
            if job.analysis, let summary = result.summary {
                floats(prefix + "analysis.rollout", summary.rollout.shape, summary.rollout.storage)
                let entropy = summary.entropy
                items.append(
                    Item(
                        name: prefix + "analysis.entropy", dtype: dtype,
                        shape: [entropy.count, entropy.first?.count ?? 0]
                    ) { out in
                        var p = out
                        for row in entropy {
                            write(row[...], dtype, to: p)
                            p += row.count * dtype.size
                        }
                    })
            }
            for part in ContributionsWriter.tensors(job, result: result, prefix: prefix) {
                floats(part.name, part.tensor.shape, part.tensor.storage)
            }
            if let occlusion = result.occlusion {
                metadata += OcclusionWriter.metadata(occlusion, prefix: prefix)
                for part in OcclusionWriter.tensors(occlusion, prefix: prefix) {
                    floats(part.name, [part.values.count], part.values)
                }
            }
            let extra = extraItems(job, result: result, prefix: prefix, dtype: dtype)
            (metadata, items) = (metadata + extra.metadata, items + extra.items)
            let probes = probeItems(job, result: result, prefix: prefix, dtype: dtype)
            metadata += probes.metadata
            items += probes.items
        }
        let batch = batchItems(job, results: results, dtype: dtype)
        return (metadata + batch.metadata, items + batch.items)
    }

    /// An `I32` tensor of `values`.
    static func int32(_ name: String, _ shape: [Int], _ values: [Int32]) -> Item {
        Item(name: name, dtype: .i32, shape: shape) { out in
            values.withUnsafeBufferPointer { source in
                for i in source.indices {
                    out.storeBytes(of: source[i].littleEndian, toByteOffset: i * 4, as: Int32.self)
                }
            }
        }
    }

    /// Writes `values` at `destination` as little-endian `dtype` (a float type).
    static func write(_ values: ArraySlice<Float>, _ dtype: Item.DType, to destination: UnsafeMutableRawPointer) {
        values.withUnsafeBufferPointer { source in
            guard let base = source.baseAddress, !source.isEmpty else { return }
            switch dtype {
            case .f16:
                Float16Conversion.writeHalf(source, to: destination)
            case .bf16:
                Float16Conversion.writeBFloat(source, to: destination)
            default:
                #if _endian(little)
                    destination.copyMemory(from: base, byteCount: source.count * 4)
                #else
                    for i in source.indices {
                        destination.storeBytes(
                            of: source[i].bitPattern.littleEndian, toByteOffset: i * 4, as: UInt32.self)
                    }
                #endif
            }
        }
    }
}
