#!/usr/bin/env python3
"""Writes Tests/TransformerTests/Fixtures/occlusion.json: the reference for `"occlusion": true` on POST /attend.

Hugging Face `transformers` (BertModel, float32, attn_implementation="eager") runs each sequence and, for every
occluded position i, the same sequence with token i removed (its id, token type and mask entry dropped; the
positions after it shift down by one, as a shorter input would have them). numpy (float64) then computes, from
the definitions (README "Occlusion"):

  pooled       p = pool(H) unnormalised: mean of all rows, row 0 (CLS), or the element-wise max
  importance   importance_i = 1 - cos(p, p without token i); special tokens ([CLS]/[SEP]) are not occluded
  weights      w [n]: how much of the pooled vector each output position makes: mean 1/n, CLS e_0, max the share
               of the d dimensions whose maximum sits at that position (first maximum wins)
  attribution  a = w^T R [n] for a rollout R [n, n] (rows = output positions, columns = input tokens)
  rollouts     attention: R = A_L ... A_1, A_l = rownorm(mean over heads + I) (as make-similarity-fixture.py);
               contribution measures: the `case{c}.{measure}.rollout` tensors of Fixtures/contributions/
               (make-contributions-fixture.py), tiny-bert and MiniLM only
  spearman     scipy.stats.spearmanr (ties by average rank) of a and importance over the occluded positions,
               cross-checked against a hand-written average-rank Pearson

Also a few Spearman cases with ties (`spearman_cases`) for the Swift rank correlation on its own.
Usage: python3 scripts/make-occlusion-fixture.py [--model models/all-MiniLM-L6-v2] [OUTPUT]
"""
import argparse
import json
import os

import numpy as np
import torch
from safetensors.numpy import load_file
from scipy.stats import spearmanr
from transformers import BertModel

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures")
MEASURES = ["norm", "norm_res_ln", "alti", "globenc", "value_zeroing"]

torch.set_grad_enabled(False)
torch.set_num_threads(2)


def pool(hidden, kind):
    if kind == "mean":
        return hidden.mean(axis=0)
    if kind == "cls":
        return hidden[0]
    if kind == "max":
        return hidden.max(axis=0)
    raise ValueError(kind)


def weights(hidden, kind):
    n, d = hidden.shape
    if kind == "mean":
        return np.full(n, 1.0 / n)
    if kind == "cls":
        w = np.zeros(n)
        w[0] = 1
        return w
    w = np.zeros(n)
    for i in hidden.argmax(axis=0):  # numpy's argmax: the first maximum
        w[i] += 1.0 / d
    return w


def cosine(x, y):
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    if nx == 0 or ny == 0:
        return 0.0
    return float(x @ y / (nx * ny))


def rollout(attentions):
    n = attentions[0].shape[-1]
    r = np.eye(n)
    for layer in attentions:
        a = layer.mean(axis=0) + np.eye(n)
        a = a / a.sum(axis=-1, keepdims=True)
        r = a @ r
    return r


def average_ranks(x):
    x = np.asarray(x, dtype=np.float64)
    order = np.argsort(x, kind="stable")
    ranks = np.empty(len(x))
    i = 0
    while i < len(x):
        j = i
        while j + 1 < len(x) and x[order[j + 1]] == x[order[i]]:
            j += 1
        ranks[order[i:j + 1]] = (i + j) / 2.0 + 1
        i = j + 1
    return ranks


def spearman(x, y):
    """scipy's value, checked against the average-rank Pearson; None when undefined (fewer than 2, constant)."""
    if len(x) < 2:
        return None
    rx, ry = average_ranks(x), average_ranks(y)
    if np.all(rx == rx[0]) or np.all(ry == ry[0]):
        return None
    rx, ry = rx - rx.mean(), ry - ry.mean()
    mine = float(rx @ ry / np.sqrt((rx @ rx) * (ry @ ry)))
    theirs = float(spearmanr(x, y).statistic)
    assert abs(mine - theirs) < 1e-12, (mine, theirs)
    return theirs


def run(model, ids, types):
    t = torch.tensor([ids])
    out = model(
        input_ids=t, token_type_ids=torch.tensor([types]), attention_mask=torch.ones_like(t),
        output_attentions=True)
    return out.last_hidden_state[0].double().numpy(), [a[0].double().numpy() for a in out.attentions]


def min_gap(values):
    s = np.sort(np.asarray(values))
    return float(np.min(np.diff(s))) if len(s) > 1 else float("inf")


def make_case(name, folder, pooling, model, ids, types, special, contributions=None):
    hidden, attentions = run(model, ids, types)
    p = pool(hidden, pooling)
    occluded = [i for i in range(len(ids)) if not special[i]] if len(ids) >= 2 else []
    importance = [None] * len(ids)
    for i in occluded:
        h, _ = run(model, ids[:i] + ids[i + 1:], types[:i] + types[i + 1:])
        importance[i] = 1 - cosine(p, pool(h, pooling))
    w = weights(hidden, pooling)
    rollouts = {"attention_rollout": rollout(attentions)}
    for measure, r in (contributions or {}).items():
        rollouts[measure] = r.astype(np.float64)
    attributions = {k: (w @ r).tolist() for k, r in rollouts.items()}
    imp = [importance[i] for i in occluded]
    correlations = {k: spearman([a[i] for i in occluded], imp) for k, a in attributions.items()}
    gaps = [min_gap(imp)] + [min_gap([a[i] for i in occluded]) for a in attributions.values()]
    print(f"{name}: n {len(ids)}, occluded {len(occluded)}, spearman "
          + ", ".join(f"{k} {'-' if v is None else f'{v:.4f}'}" for k, v in correlations.items())
          + f", smallest gap between ranked values {min(gaps):.2e}")
    return {
        "name": name, "folder": folder, "pooling": pooling, "ids": ids, "type_ids": types,
        "occluded": occluded, "importance": importance, "weights": w.tolist(), "attributions": attributions,
        "spearman": correlations,
    }


def spearman_cases():
    rng = np.random.default_rng(13)
    cases = [
        ([1, 2, 3, 4], [1, 2, 3, 4]),
        ([1, 2, 3, 4], [4, 3, 2, 1]),
        ([1, 1, 2, 3], [1, 2, 3, 4]),
        ([0.5, 0.5, 0.5, 1, 2], [3, 1, 2, 2, 5]),
        ([2, 1], [1, 2]),
        ([3, 3, 3], [1, 2, 3]),
        ([7], [1]),
    ]
    for _ in range(4):
        x = rng.integers(0, 4, 9).astype(float).tolist()
        y = rng.normal(size=9).tolist()
        cases.append((x, y))
    return [{"x": [float(v) for v in x], "y": [float(v) for v in y], "spearman": spearman(x, y)} for x, y in cases]


def tiny(folder):
    return BertModel.from_pretrained(
        os.path.join(FIXTURES, folder), attn_implementation="eager", dtype=torch.float32).eval()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
    parser.add_argument("output", nargs="?", default=os.path.join(FIXTURES, "occlusion.json"))
    args = parser.parse_args()
    with open(os.path.join(FIXTURES, "contributions", "index.json")) as f:
        index = json.load(f)
    tiny_rollouts = load_file(os.path.join(FIXTURES, "contributions", "tiny-bert.safetensors"))
    cases = []
    # The tiny vocabulary's [CLS] = 2, [SEP] = 3; MiniLM's 101, 102.
    for folder, pooling in (("tiny-bert", "mean"), ("tiny-bert-f16", "cls"), ("tiny-bert-bf16", "max")):
        model = tiny(folder)
        for c, case in enumerate(index["tiny-bert"]):
            ids = case["ids"]
            types = case["type_ids"] or [0] * len(ids)
            special = [i in (2, 3) for i in ids]
            measures = None
            if folder == "tiny-bert":
                measures = {m: tiny_rollouts[f"case{c}.{m}.rollout"] for m in MEASURES}
            cases.append(make_case(f"{folder} case {c}", folder, pooling, model, ids, types, special, measures))
        # Two tokens, nothing special (input_ids without [CLS]/[SEP]): both occluded, one token left each time.
        cases.append(make_case(f"{folder} two tokens", folder, pooling, model, [77, 80], [0, 0], [False, False]))
    if os.path.exists(os.path.join(args.model, "model.safetensors")):
        model = BertModel.from_pretrained(args.model, attn_implementation="eager", dtype=torch.float32).eval()
        minilm = load_file(os.path.join(FIXTURES, "contributions", "minilm.safetensors"))
        case = index["minilm"][0]
        ids = case["ids"]
        measures = {m: minilm[f"case0.{m}.rollout"] for m in MEASURES}
        cases.append(make_case(
            "minilm", "minilm", "mean", model, ids, [0] * len(ids), [i in (101, 102) for i in ids], measures))
    else:
        print(f"no MiniLM at {args.model}: tiny cases only")
    with open(args.output, "w") as f:
        json.dump(
            {"generator": "scripts/make-occlusion-fixture.py", "cases": cases, "spearman_cases": spearman_cases()},
            f, separators=(",", ":"))
        f.write("\n")
    print(f"wrote {args.output}: {len(cases)} cases")


if __name__ == "__main__":
    main()
