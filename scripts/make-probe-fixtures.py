#!/usr/bin/env python3
"""Writes Tests/TransformerTests/Fixtures/probes/: probe variants (README "Probes") run on Hugging Face
`transformers`, for the Swift ProbeTests.

Each probe edits a sequence the way `POST /attend`'s "probes" do, on the Python side:
  mask    [i, ...]         input_ids[i] = the tokenizer's mask token id ([MASK])
  replace {i: id}          input_ids[i] = id
  drop    [i, ...]         the tokens removed (input_ids, token_type_ids; positions renumbered 0..n'-1)
  ablate  [[l, h], ...]    head h of layer l: its context slice ctx[:, h*dh:(h+1)*dh] is zero at the input of
                           layer l's attention.output.dense (a forward PRE-hook; Michel et al. 2019). Not
                           head_mask: transformers 5.x ignores it.
For every case it records the variant's ids, the edits, its last hidden state and every layer's attention maps
(eager attention, float32). The "all heads of a layer ablated" cases are also checked here against a hand
computation of the residual path alone: x' = LN2(y + W2 act(W1 y + b1) + b2), y = LN1(x + b_O).

Output: tiny-bert.safetensors (tiny-bert fixture, cases 0 and 1 of its expected.json) and minilm.safetensors
(one sentence, needs models/all-MiniLM-L6-v2 from `scripts/fetch-model`), tensors `case{c}.last_hidden_state`
[n', d] and `case{c}.attentions.{l}` [H, n', n']; index.json lists per model the cases: original ids and type
ids, the probe (as the request spells it, replace by id), the variant's ids.
Usage: python3 scripts/make-probe-fixtures.py [--model models/all-MiniLM-L6-v2]
"""

import argparse
import json
import os

import numpy as np
import torch
from safetensors.torch import save_file
from tokenizers import Tokenizer
from transformers import BertModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures")
OUT = os.path.join(FIXTURES, "probes")
MINILM_SENTENCE = "The dog chased the ball because it was fast."

torch.set_grad_enabled(False)
torch.set_num_threads(2)


def edited(ids, types, probe, mask_id):
    ids = list(ids)
    types = list(types) if types is not None else None
    for i in probe.get("mask", []):
        ids[i] = mask_id
    for i, value in probe.get("replace", {}).items():
        ids[int(i)] = value
    keep = [i for i in range(len(ids)) if i not in set(probe.get("drop", []))]
    return [ids[i] for i in keep], ([types[i] for i in keep] if types is not None else None)


def run(model, ids, types, ablate):
    heads = model.config.num_attention_heads
    dh = model.config.hidden_size // heads
    handles = []
    for l, layer in enumerate(model.encoder.layer):
        zeroed = [h for (al, h) in ablate if al == l]
        if not zeroed:
            continue

        def pre(module, args, zeroed=zeroed):
            ctx = args[0].clone()
            for h in zeroed:
                ctx[..., h * dh : (h + 1) * dh] = 0
            return (ctx,) + tuple(args[1:])

        handles.append(layer.attention.output.dense.register_forward_pre_hook(pre))
    captured = {}

    def keep_input(module, inputs, output):
        captured.setdefault("layer_inputs", []).append(inputs[0][0].double().numpy())

    for layer in model.encoder.layer:
        handles.append(layer.register_forward_hook(keep_input))
    ids_t = torch.tensor([ids])
    out = model(
        input_ids=ids_t,
        token_type_ids=torch.tensor([types if types is not None else [0] * len(ids)]),
        attention_mask=torch.ones_like(ids_t),
        output_attentions=True,
        output_hidden_states=True,
    )
    for handle in handles:
        handle.remove()
    return out, captured["layer_inputs"]


def residual_only(model, l, x):
    """Layer l's output when every head is ablated: only the residual path and the feed-forward block."""
    layer = model.encoder.layer[l]

    def ln(v, norm):
        mean = v.mean(-1, keepdims=True)
        var = v.var(-1, keepdims=True)
        return (v - mean) / np.sqrt(var + norm.eps) * norm.weight.double().numpy() + norm.bias.double().numpy()

    y = ln(x + layer.attention.output.dense.bias.double().numpy(), layer.attention.output.LayerNorm)
    w1 = layer.intermediate.dense.weight.double().numpy()
    b1 = layer.intermediate.dense.bias.double().numpy()
    w2 = layer.output.dense.weight.double().numpy()
    b2 = layer.output.dense.bias.double().numpy()
    inner = torch.nn.functional.gelu(torch.from_numpy(y @ w1.T + b1)).numpy()
    return ln(y + inner @ w2.T + b2, layer.output.LayerNorm)


def cases_for(model, name, sequences, probes, mask_id):
    tensors = {}
    index = []
    c = 0
    for s, (ids, types) in enumerate(sequences):
        for probe in probes:
            v_ids, v_types = edited(ids, types, probe, mask_id)
            ablate = probe.get("ablate", [])
            out, inputs = run(model, v_ids, v_types, ablate)
            tensors[f"case{c}.last_hidden_state"] = out.last_hidden_state[0].contiguous()
            for l, att in enumerate(out.attentions):
                tensors[f"case{c}.attentions.{l}"] = att[0].contiguous()
            heads = model.config.num_attention_heads
            for l in range(model.config.num_hidden_layers):
                if sorted(h for (al, h) in ablate if al == l) == list(range(heads)):
                    hand = residual_only(model, l, inputs[l])
                    got = out.hidden_states[l + 1][0].double().numpy()
                    err = np.abs(hand - got).max()
                    assert err < 1e-5, (name, c, l, err)
                    print(f"{name} case{c}: layer {l} all heads ablated = residual path by hand (max |Δ| {err:.2e})")
            index.append({"sequence": s, "ids": ids, "type_ids": types, "probe": probe, "variant_ids": v_ids})
            c += 1
    return tensors, index


def save(name, tensors):
    os.makedirs(OUT, exist_ok=True)
    save_file({k: v.float() for k, v in tensors.items()}, os.path.join(OUT, f"{name}.safetensors"))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
    args = parser.parse_args()
    index = {}

    tiny = BertModel.from_pretrained(os.path.join(FIXTURES, "tiny-bert"), attn_implementation="eager").eval()
    with open(os.path.join(FIXTURES, "tiny-bert", "expected.json")) as f:
        cases = json.load(f)["cases"]
    with open(os.path.join(FIXTURES, "tiny-bert", "vocab.txt")) as f:
        vocab = [line.rstrip("\n") for line in f]
    mask_id = vocab.index("[MASK]")
    sequences = [(cases[0]["ids"], cases[0]["type_ids"]), (cases[1]["ids"], cases[1]["type_ids"])]
    probes = [
        {},
        {"mask": [1]},
        {"replace": {"2": 150}},
        {"drop": [2]},
        {"ablate": [[0, 1], [1, 3]]},
        {"ablate": [[0, 0], [0, 1], [0, 2], [0, 3]]},
        {"name": "all", "mask": [1], "drop": [3], "ablate": [[1, 0]]},
        {"drop": [0, 4]},
    ]
    tensors, index["tiny-bert"] = cases_for(tiny, "tiny-bert", sequences, probes, mask_id)
    index["tiny-bert-mask-id"] = mask_id
    save("tiny-bert", tensors)

    tokenizer = Tokenizer.from_file(os.path.join(args.model, "tokenizer.json"))
    tokenizer.no_padding()
    tokenizer.no_truncation()
    enc = tokenizer.encode(MINILM_SENTENCE)
    cat = tokenizer.token_to_id("cat")
    minilm = BertModel.from_pretrained(args.model, attn_implementation="eager", dtype=torch.float32).eval()
    probes = [
        {},
        {"mask": [5]},
        {"replace": {"5": cat}},
        {"drop": [2]},
        {"ablate": [[2, 3], [5, 0]]},
        {"ablate": [[1, h] for h in range(minilm.config.num_attention_heads)]},
        {"mask": [2], "drop": [7], "ablate": [[0, 4], [3, 11]]},
    ]
    tensors, index["minilm"] = cases_for(
        minilm, "minilm", [(enc.ids, None)], probes, tokenizer.token_to_id("[MASK]"))
    index["minilm-mask-id"] = tokenizer.token_to_id("[MASK]")
    index["minilm-text"] = MINILM_SENTENCE
    save("minilm", tensors)
    with open(os.path.join(OUT, "index.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
