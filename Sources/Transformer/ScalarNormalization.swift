import Foundation
import Synchronization

/// The Unicode normalization (NFC, NFD, NFKC, NFKD) of one scalar on its own, remembered per scalar.
///
/// Foundation's normalization costs microseconds per call, far more than the rest of a tokenizer's work on that
/// scalar; a scalar's normal form never changes, so each one is computed once and then looked up. The tables are
/// shared by every tokenizer of the process and stop growing at ``capacity`` scalars per form (later scalars are
/// computed on each call, as before).
enum ScalarNormalization {
    /// A normalization form.
    enum Form: Int, CaseIterable, Sendable { case nfc, nfd, nfkc, nfkd }

    /// The most scalars remembered per form.
    static let capacity = 1 << 16

    /// One form's remembered scalars.
    private final class Table: Sendable {
        let entries = Mutex<[UInt32: [Unicode.Scalar]]>([:])
    }

    private static let tables = Form.allCases.map { _ in Table() }

    /// The scalars of `scalar` alone in normalization form `form` (the scalar itself when the form keeps it).
    static func normalize(_ scalar: Unicode.Scalar, _ form: Form) -> [Unicode.Scalar] {
        let table = tables[form.rawValue]
        if let known = table.entries.withLock({ $0[scalar.value] }) { return known }
        let computed = Array(normalize(String(scalar), form).unicodeScalars)
        table.entries.withLock { entries in
            if entries.count < capacity { entries[scalar.value] = computed }
        }
        return computed
    }

    /// `text` in normalization form `form` (Foundation, not remembered).
    static func normalize(_ text: String, _ form: Form) -> String {
        switch form {
        case .nfc: return text.precomposedStringWithCanonicalMapping
        case .nfd: return text.decomposedStringWithCanonicalMapping
        case .nfkc: return text.precomposedStringWithCompatibilityMapping
        case .nfkd: return text.decomposedStringWithCompatibilityMapping
        }
    }
}
