import AttendCore
import JSON

extension AttentionSummary {
    /// Writes `{"rollout":[[...]],"entropy":[[...]]}` (floats honour the writer's `precision`).
    func write(to writer: JSONWriter) {
        writer.raw(#"{"rollout":"#)
        let n = rollout.shape.first ?? 0
        rollout.storage.withUnsafeBufferPointer { writer.matrix($0, rows: n, columns: n) }
        writer.raw(#","entropy":["#)
        for (index, row) in entropy.enumerated() {
            if index > 0 { writer.byte(UInt8(ascii: ",")) }
            writer.floats(row)
        }
        writer.raw("]}")
    }
}
