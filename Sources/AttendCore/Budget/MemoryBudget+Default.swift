import Foundation

extension MemoryBudget {
    /// The default `compute.max_memory_bytes`: 60 % of the cgroup memory limit when the process has one
    /// (containers, Kubernetes: the rest is for the weights and the runtime), else 2 GiB, and never more than 60 %
    /// of the machine's physical memory.
    public static func defaultCapacity(
        cgroupLimit: Int? = MemoryBudget.cgroupMemoryLimit(),
        physicalMemory: Int = Int(clamping: ProcessInfo.processInfo.physicalMemory)
    ) -> Int {
        let physicalShare = physicalMemory / 10 * 6
        if let cgroupLimit, cgroupLimit > 0 { return min(cgroupLimit / 10 * 6, physicalShare) }
        return min(2 << 30, physicalShare)
    }

    /// The cgroup v2 (`memory.max`) or v1 (`memory.limit_in_bytes`) limit of this process, nil when unlimited or
    /// unknown.
    public static func cgroupMemoryLimit(root: String = "/sys/fs/cgroup") -> Int? {
        for path in [root + "/memory.max", root + "/memory/memory.limit_in_bytes"] {
            guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { continue }
            let value = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if value == "max" { return nil }
            // cgroup v1 reports "unlimited" as a huge page-rounded number.
            if let limit = Int(value), limit > 0, limit < (1 << 60) { return limit }
            return nil
        }
        return nil
    }
}
