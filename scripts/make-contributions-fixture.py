#!/usr/bin/env python3
"""Writes Tests/TransformerTests/Fixtures/contributions/: token contribution measures computed from the papers'
equations on Hugging Face `transformers` (forward hooks), for the Swift ContributionTests.

Needs torch, transformers, safetensors, tokenizers; the MiniLM part needs models/all-MiniLM-L6-v2
(`scripts/fetch-model`). Written from the equations (README "Token contributions"); the authors' public code
(Kobayashi et al.'s norm analysis, Ferrando et al.'s transformer-contributions, Modarressi et al.'s GlobEnc) was
read to check where the biases and statistics go. Everything below is float64 on the hooked float32 activations.

For layer input X [n, d], head h, weights α^h [n, n], W_O = dense.weight.T (x·W convention), W_O,h its rows
h·dh..<(h+1)·dh, V = X W_V + b_V (the value projection's output, bias included):
  f_h(x_j)     = V_h[j] W_O,h
  norm_heads   [h, i, j] = α^h_ij ‖f_h(x_j)‖                                  (Kobayashi 2020)
  norm         [i, j]    = ‖Σ_h α^h_ij f_h(x_j)‖                               (Kobayashi 2020)
  z_ij         = Σ_h α^h_ij f_h(x_j) + δ_ij x_i          (b_O belongs to no token)
  σ_i          = √(var(z_i) + ε), z_i the real input of the first LayerNorm (hooked), var biased
  t_ij         = γ₁ ⊙ (z_ij − mean(z_ij)) / σ_i
  norm_res_ln  [i, j]    = ‖t_ij‖                                               (Kobayashi 2021)
  alti         [i, j]    = max(0, ‖y_i‖₁ − ‖y_i − t_ij‖₁), rows / their sum;
                           y_i the first LayerNorm's real output (biases in)    (Ferrando 2022)
  globenc      [i, j]    = ‖γ₂ ⊙ (t_ij − mean(t_ij)) / σ₂_i‖, σ₂ of the second LayerNorm's real input (the FFN
                           output enters only there), rows / their sum          (Modarressi 2022)
  value_zeroing [i, j]   = 1 − cos(x̃_i^¬j, x̃_i), rows / their sum: x̃ the layer's output, x̃^¬j the same layer run
                           again on the same input with token j's value vectors (bias included) zeroed in every
                           head (a hook on the value projection)                  (Mohebbi 2023)
Rollout over all layers in order: norm: Â = rownorm(rownorm(N) + I), R = Â_L ⋯ Â_1 (as attention rollout);
norm_res_ln, alti, globenc, value_zeroing: R = rownorm(M_L) ⋯ rownorm(M_1) (no identity: the residual is in the measure).

The other post-LN families run the same equations on their own modules (Fixtures/families, made by
scripts/make-family-fixtures.py; their three id cases, each run alone): roberta and xlm-roberta have BERT's layer
layout (`roberta.encoder.layer`, positions offset by padding_idx + 1 inside the embeddings, which the hooks do not
see); distilbert names them `transformer.layer.{l}.attention.{q,k,v,out}_lin`, `sa_layer_norm` (the first
LayerNorm, input = x + attention output) and `output_layer_norm` (the second) and has no token types (no
token_type_ids are passed). gpt2 is pre-LN: the decomposition does not apply, so it has no fixture.

Output: tiny-bert.safetensors (the tiny-bert fixture's four cases, each run alone), minilm.safetensors (one
sentence), roberta/xlm-roberta/distilbert.safetensors (the family fixtures' cases), tensors
`case{c}.{measure}.{layer}` and `case{c}.{measure}.rollout`; index.json lists the cases' ids.
Usage: python3 scripts/make-contributions-fixture.py [--model models/all-MiniLM-L6-v2]
"""

import argparse
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer
from transformers import AutoModel, BertModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures")
OUT = os.path.join(FIXTURES, "contributions")
MEASURES = ["norm", "norm_heads", "norm_res_ln", "alti", "globenc", "value_zeroing"]
# The post-LN families of Fixtures/families (gpt2 is pre-LN: no decomposition).
FAMILIES = ["roberta", "xlm-roberta", "distilbert"]
MINILM_SENTENCE = "The dog chased the ball because it was fast."

torch.set_grad_enabled(False)
torch.set_num_threads(2)


def rownorm(m):
    s = m.sum(axis=-1, keepdims=True)
    return np.where(s > 0, m / np.where(s > 0, s, 1.0), 0.0)


class Parts:
    """Where a family keeps the modules the measures read (BERT's names, or DistilBERT's)."""

    def __init__(self, model):
        self.distil = model.config.model_type == "distilbert"
        self.model = model
        self.layers = model.transformer.layer if self.distil else model.encoder.layer
        self.heads = model.config.n_heads if self.distil else model.config.num_attention_heads
        self.width = model.config.dim if self.distil else model.config.hidden_size

    def value(self, layer):
        return layer.attention.v_lin if self.distil else layer.attention.self.value

    def output(self, layer):
        return layer.attention.out_lin if self.distil else layer.attention.output.dense

    def ln1(self, layer):
        return layer.sa_layer_norm if self.distil else layer.attention.output.LayerNorm

    def ln2(self, layer):
        return layer.output_layer_norm if self.distil else layer.output.LayerNorm

    def inputs(self, ids, types):
        ids_t = torch.tensor([ids])
        kwargs = {"input_ids": ids_t, "attention_mask": torch.ones_like(ids_t)}
        if not self.distil:  # DistilBERT has no token types
            kwargs["token_type_ids"] = torch.tensor([types])
        return kwargs


def hooked_run(model, ids, types):
    """One forward pass; per layer its input, value output, attention weights and the LayerNorms' inputs/outputs."""
    captured = {}
    handles = []
    parts = Parts(model)

    def keep(name, what):
        def hook(module, args, kwargs, output):
            if what == "input":
                value = args[0] if args else kwargs["hidden_states"]
            else:
                value = output[0] if isinstance(output, (tuple, list)) else output
            captured[name] = value[0].double().numpy()

        return hook

    for l, layer in enumerate(parts.layers):
        for module, name, what in (
            (layer, "in", "input"),
            (parts.value(layer), "value", "output"),
            (parts.ln1(layer), "ln1_in", "input"),
            (parts.ln1(layer), "ln1_out", "output"),
            (parts.ln2(layer), "ln2_in", "input"),
        ):
            handles.append(module.register_forward_hook(keep(f"{l}.{name}", what), with_kwargs=True))
    out = model(**parts.inputs(ids, types), output_attentions=True, output_hidden_states=True)
    for h in handles:
        h.remove()
    attentions = [a[0].double().numpy() for a in out.attentions]
    return captured, attentions, out


def layer_measures(model, l, captured, alpha):
    parts = Parts(model)
    layer = parts.layers[l]
    heads = parts.heads
    d = parts.width
    dh = d // heads
    x = captured[f"{l}.in"]  # [n, d]
    v = captured[f"{l}.value"]  # [n, d], bias included
    n = x.shape[0]
    w_o = parts.output(layer).weight.double().numpy().T  # [in, out]
    b_o = parts.output(layer).bias.double().numpy()
    ln1 = parts.ln1(layer)
    ln2 = parts.ln2(layer)
    g1 = ln1.weight.double().numpy()
    g2 = ln2.weight.double().numpy()
    # f_h(x_j) [H, n, d]
    f = np.stack([v[:, h * dh : (h + 1) * dh] @ w_o[h * dh : (h + 1) * dh, :] for h in range(heads)])
    f_norms = np.linalg.norm(f, axis=-1)  # [H, n]
    norm_heads = alpha * f_norms[:, None, :]  # [H, i, j]
    weighted = np.einsum("hij,hjd->ijd", alpha, f)  # Σ_h α^h_ij f_h(x_j) [n, n, d]
    norm = np.linalg.norm(weighted, axis=-1)
    z = weighted + np.einsum("ij,id->ijd", np.eye(n), x)
    pre_ln = captured[f"{l}.ln1_in"]
    check = z.sum(axis=1) + b_o
    assert np.abs(check - pre_ln).max() < 1e-4, np.abs(check - pre_ln).max()
    sigma = np.sqrt(pre_ln.var(axis=-1) + ln1.eps)  # [n]
    t = g1 * (z - z.mean(axis=-1, keepdims=True)) / sigma[:, None, None]
    norm_res_ln = np.linalg.norm(t, axis=-1)
    y = captured[f"{l}.ln1_out"]
    alti = np.maximum(0.0, np.abs(y).sum(-1)[:, None] - np.abs(y[:, None, :] - t).sum(-1))
    pre_ln2 = captured[f"{l}.ln2_in"]
    sigma2 = np.sqrt(pre_ln2.var(axis=-1) + ln2.eps)
    globenc = np.linalg.norm(g2 * (t - t.mean(axis=-1, keepdims=True)) / sigma2[:, None, None], axis=-1)
    return {
        "norm": norm,
        "norm_heads": norm_heads,
        "norm_res_ln": norm_res_ln,
        "alti": rownorm(alti),
        "globenc": rownorm(globenc),
    }


def value_zeroing(model, l, x_in, x_out):
    """Layer l re-run from its real input x_in [n, d] once per token t with t's value row zeroed."""
    parts = Parts(model)
    layer = parts.layers[l]
    n = x_in.shape[0]
    scores = np.zeros((n, n))
    for t in range(n):

        def zero(module, inputs, output, t=t):
            output = output.clone()
            output[:, t, :] = 0
            return output

        handle = parts.value(layer).register_forward_hook(zero)
        out = layer(torch.from_numpy(x_in).float()[None])
        handle.remove()
        if isinstance(out, (tuple, list)):
            out = out[0]
        zeroed = out[0].double().numpy()
        a = zeroed / np.linalg.norm(zeroed, axis=-1, keepdims=True)
        b = x_out / np.linalg.norm(x_out, axis=-1, keepdims=True)
        scores[:, t] = 1.0 - (a * b).sum(-1)
    return rownorm(scores)


def rollout(measure, maps):
    n = maps[0].shape[-1]
    result = np.eye(n)
    for m in maps:
        if measure == "norm":
            a = rownorm(rownorm(m) + np.eye(n))
        else:
            a = rownorm(m)
        result = a @ result
    return result


def case_tensors(model, index, ids, types):
    captured, attentions, out = hooked_run(model, ids, types)
    hidden = [h[0].double().numpy() for h in out.hidden_states]
    tensors = {}
    per_measure = {m: [] for m in MEASURES}
    for l in range(len(Parts(model).layers)):
        measures = layer_measures(model, l, captured, attentions[l])
        measures["value_zeroing"] = value_zeroing(model, l, captured[f"{l}.in"], hidden[l + 1])
        for m, value in measures.items():
            tensors[f"case{index}.{m}.{l}"] = value
            per_measure[m].append(value)
    for m in MEASURES:
        if m != "norm_heads":
            tensors[f"case{index}.{m}.rollout"] = rollout(m, per_measure[m])
    return tensors


def save(name, tensors, index):
    os.makedirs(OUT, exist_ok=True)
    tensors = {k: torch.from_numpy(np.ascontiguousarray(v)).to(torch.float32) for k, v in tensors.items()}
    save_file(tensors, os.path.join(OUT, name + ".safetensors"), metadata={"generator": "scripts/make-contributions-fixture.py"})
    return index


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
    args = parser.parse_args()
    index = {}

    tiny = BertModel.from_pretrained(os.path.join(FIXTURES, "tiny-bert"), attn_implementation="eager").eval()
    with open(os.path.join(FIXTURES, "tiny-bert", "expected.json")) as f:
        cases = json.load(f)["cases"]
    tensors = {}
    index["tiny-bert"] = []
    for i, case in enumerate(cases):
        ids = case["ids"]
        types = case["type_ids"] or [0] * len(ids)
        tensors.update(case_tensors(tiny, i, ids, types))
        index["tiny-bert"].append({"ids": ids, "type_ids": case["type_ids"]})
    save("tiny-bert", tensors, index)

    tokenizer = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    enc = tokenizer.encode(MINILM_SENTENCE)
    minilm = BertModel.from_pretrained(args.model, attn_implementation="eager", torch_dtype=torch.float32).eval()
    save("minilm", case_tensors(minilm, 0, enc.ids, [0] * len(enc.ids)), index)
    index["minilm"] = [{"text": MINILM_SENTENCE, "ids": enc.ids, "type_ids": None}]

    for family in FAMILIES:
        directory = os.path.join(FIXTURES, "families", family)
        model = AutoModel.from_pretrained(directory, attn_implementation="eager", dtype=torch.float32).eval()
        with open(os.path.join(directory, "expected.json")) as f:
            cases = json.load(f)["cases"]
        tensors = {}
        for i, case in enumerate(cases):
            tensors.update(case_tensors(model, i, case["ids"], [0] * len(case["ids"])))
        save(family, tensors, index)
        index[family] = [{"ids": case["ids"], "type_ids": None} for case in cases]

    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")
    print("wrote", OUT)


if __name__ == "__main__":
    main()
