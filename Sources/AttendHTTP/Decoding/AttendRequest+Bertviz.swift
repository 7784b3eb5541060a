import AttendCore
import Transformer

extension AttendRequest {
    /// What `"format": "bertviz"` cannot serve, as a 422 naming the member (README "bertviz"): bertviz takes every
    /// whole map of every layer and head, and numbers layers and heads by their position in what it is given, so
    /// `layers` / `heads` must select all of them in order (bertviz's own `include_layers` / `include_heads` show
    /// fewer); `rows`, `top_k`, `threshold`, `attentions: false`, `hidden_states` and `analysis` have no place in it.
    static func checkBertviz(_ request: AttendRequest, configuration c: EncoderConfiguration) throws {
        func refuse(_ field: String, _ why: String) -> CoreError {
            .unsupported("\"format\": \"bertviz\" \(why); leave \"\(field)\" out", field: field)
        }
        if !request.attentions { throw refuse("attentions", "returns the attention maps") }
        if request.form.rows != nil { throw refuse("rows", "returns whole maps (bertviz draws every row)") }
        if case .topK = request.form.keys { throw refuse("top_k", "returns whole maps") }
        if case .threshold = request.form.keys { throw refuse("threshold", "returns whole maps") }
        if request.hiddenStates { throw refuse("hidden_states", "returns only what bertviz takes") }
        if request.analysis || request.headRoles { throw refuse("analysis", "returns only what bertviz takes") }
        if request.predictions != nil { throw refuse("predictions", "returns only what bertviz takes") }
        let positional = "returns every layer and head in order, as bertviz numbers them by position (pass "
        if try Selection.resolve(request.layers, count: c.layers, kind: "layer") != Array(0..<c.layers) {
            throw refuse("layers", positional + "include_layers to head_view or model_view to show fewer)")
        }
        if try Selection.resolve(request.heads, count: c.heads, kind: "head") != Array(0..<c.heads) {
            throw refuse("heads", positional + "include_heads to model_view, or heads to head_view)")
        }
    }
}
