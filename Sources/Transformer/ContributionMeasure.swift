// Shape legend: see Encoder.swift (n, d, H, L).

/// A token-to-token contribution measure computed in the forward pass (``KeptOutputs/contributions``,
/// ``EncoderOutput/contributions``), for layer input X [n, d], head h's weights α^h [n, n] and
/// f_h(x_j) = (x_j W_V,h + b_V,h) W_O,h (x·W convention; W_O,h the head's dh rows of the output projection).
///
/// Each measure gives one matrix per layer, rows = the layer's output positions i, columns = its input tokens j.
/// Biases (b_O, the LayerNorms' β) belong to no token and are left out of every z_ij; LayerNorm is taken as linear
/// with the statistics of its real input (README "Token contributions").
public enum ContributionMeasure: String, Sendable, CaseIterable, Hashable, Comparable {
    /// Kobayashi et al. 2020, head-summed: ‖Σ_h α^h_ij f_h(x_j)‖₂, [n, n].
    case norm
    /// Kobayashi et al. 2020, per head: α^h_ij ‖f_h(x_j)‖₂, [heads, n, n] for the kept heads (``KeptOutputs/heads``).
    case normHeads = "norm_heads"
    /// Kobayashi et al. 2021: ‖LN_lin(z_ij)‖₂ with z_ij = Σ_h α^h_ij f_h(x_j) + δ_ij x_i and
    /// LN_lin(v) = γ₁ ⊙ (v − mean(v)) / σ(z_i), σ(z_i) = √(var(z_i) + ε) of the LayerNorm's real input
    /// z_i = x_i + Σ_j Σ_h α^h_ij f_h(x_j) + b_O; [n, n], not normalised.
    case normResLN = "norm_res_ln"
    /// Ferrando et al. 2022 (ALTI): c_ij = max(0, ‖y_i‖₁ − ‖y_i − LN_lin(z_ij)‖₁), rows normalised to sum 1, with
    /// y_i the attention block's real output LN₁(z_i) (biases included); [n, n].
    case alti
    /// Modarressi et al. 2022 (GlobEnc): ‖LN₂_lin(LN_lin(z_ij))‖₂, the second LayerNorm taken as linear with the
    /// statistics of its real input (the feed-forward output is not decomposed: it only enters through those
    /// statistics, which cancel in the row normalisation), rows normalised to sum 1; [n, n].
    case globenc
    /// Mohebbi et al. 2023 (value zeroing): c_ij = 1 − cos(x̃_i^¬j, x̃_i), x̃ the layer's real output and x̃^¬j the
    /// layer re-run from the same input with token j's value vectors (bias included) set to 0 in every head; rows
    /// normalised to sum 1; [n, n]. Costs a feed-forward pass over n rows per key token (n²·2df per layer):
    /// `/attend` allows it up to ``valueZeroingMaxLength`` tokens.
    case valueZeroing = "value_zeroing"

    /// The longest sequence `/attend` computes ``valueZeroing`` for.
    public static let valueZeroingMaxLength = 64

    /// Whether the layer's matrix already includes the residual path (norm_res_ln, ALTI, GlobEnc): its rollout is
    /// the plain product of the row-normalised matrices; without it (norm) the identity is added first, as in
    /// attention rollout. ``normHeads`` has no rollout.
    public var includesResidual: Bool {
        switch self {
        case .norm, .normHeads: return false
        case .normResLN, .alti, .globenc, .valueZeroing: return true
        }
    }

    /// Whether the measure needs the explicit vectors LN_lin(z_ij) (n²·d per layer); the others come from n²·H
    /// Gram forms.
    var needsVectors: Bool { self == .alti || self == .globenc || self == .valueZeroing }

    /// The measures' order in answers: norm, norm_heads, norm_res_ln, alti, globenc, value_zeroing.
    var order: Int {
        switch self {
        case .norm: return 0
        case .normHeads: return 1
        case .normResLN: return 2
        case .alti: return 3
        case .globenc: return 4
        case .valueZeroing: return 5
        }
    }

    public static func < (a: ContributionMeasure, b: ContributionMeasure) -> Bool { a.order < b.order }
}
