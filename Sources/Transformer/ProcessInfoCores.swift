import Foundation

/// The number of cores this process may use.
enum ProcessInfoCores {
    static var active: Int { Swift.max(1, ProcessInfo.processInfo.activeProcessorCount) }
}
