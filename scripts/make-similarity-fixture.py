#!/usr/bin/env python3
"""Writes Tests/TransformerTests/Fixtures/similarity.json: the reference for POST /similarity's mathematics.

Hugging Face `transformers` (BertModel, float32, attn_implementation="eager") runs each text alone; numpy (float64)
then computes, from the equations (README "POST /similarity"):

  pooled    a-bar = pool(H), b-bar = pool(G): mean of all rows (specials included), row 0 (CLS), or the
            element-wise max (first maximum wins), unnormalised
  cosine    a-bar . b-bar / (|a-bar| |b-bar|)
  matrix    S [n, m]: mean  S_ij = h_i . g_j / (n m |a-bar| |b-bar|)
                      cls   S_00 = cosine, 0 elsewhere
                      max   S_ij = sum over dimensions k with argmax_a(k) = i, argmax_b(k) = j of h_ik g_jk / (...)
  rollout   R [n, n] = A_L ... A_1, A_l = rownorm(mean over heads of layer l's attention + I)
  input     S_in = R_a^T S R_b
  per_layer the cosine of the pooled vectors of hidden state l (0 = embeddings' output ... L = last)

Cases: the three tiny random checkpoints of Fixtures/ (mean, CLS and max pooling) and, when the folder exists,
all-MiniLM-L6-v2 (models/all-MiniLM-L6-v2, mean pooling). Each case stores token ids, so the Swift test runs the
encoder on exactly these ids.
Usage: python3 scripts/make-similarity-fixture.py [--model models/all-MiniLM-L6-v2] [OUTPUT]
"""
import argparse
import json
import os

import numpy as np
import torch
from transformers import BertModel, BertTokenizerFast

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures")

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


def cosine(x, y):
    nx, ny = np.linalg.norm(x), np.linalg.norm(y)
    if nx == 0 or ny == 0:
        return 0.0
    return float(x @ y / (nx * ny))


def token_matrix(h, g, kind):
    a, b = pool(h, kind), pool(g, kind)
    na, nb = np.linalg.norm(a), np.linalg.norm(b)
    n, m = h.shape[0], g.shape[0]
    s = np.zeros((n, m))
    if na == 0 or nb == 0:
        return s
    if kind == "mean":
        return (h @ g.T) / (n * m * na * nb)
    if kind == "cls":
        s[0, 0] = h[0] @ g[0] / (na * nb)
        return s
    ia, jb = h.argmax(axis=0), g.argmax(axis=0)
    for k in range(h.shape[1]):
        s[ia[k], jb[k]] += h[ia[k], k] * g[jb[k], k] / (na * nb)
    return s


def rollout(attentions):
    n = attentions[0].shape[-1]
    r = np.eye(n)
    for layer in attentions:
        a = layer.mean(axis=0) + np.eye(n)
        a = a / a.sum(axis=-1, keepdims=True)
        r = a @ r
    return r


def run(model, ids):
    t = torch.tensor([ids])
    out = model(
        input_ids=t, token_type_ids=torch.zeros_like(t), attention_mask=torch.ones_like(t),
        output_attentions=True, output_hidden_states=True)
    hidden = [h[0].double().numpy() for h in out.hidden_states]
    attentions = [a[0].double().numpy() for a in out.attentions]
    return hidden, attentions


def flat(x):
    return np.asarray(x).reshape(-1).tolist()


def make_case(name, folder, pooling, model, tokenizer, a, bs):
    a_ids = tokenizer(a)["input_ids"]
    hidden_a, att_a = run(model, a_ids)
    ra = rollout(att_a)
    comparisons = []
    b_ids = []
    for b in bs:
        ids = tokenizer(b)["input_ids"]
        b_ids.append(ids)
        hidden_b, att_b = run(model, ids)
        rb = rollout(att_b)
        s = token_matrix(hidden_a[-1], hidden_b[-1], pooling)
        s_in = ra.T @ s @ rb
        cos = cosine(pool(hidden_a[-1], pooling), pool(hidden_b[-1], pooling))
        comparisons.append({
            "cosine": cos,
            "per_layer": [cosine(pool(x, pooling), pool(y, pooling)) for x, y in zip(hidden_a, hidden_b)],
            "matrix": flat(s),
            "input_matrix": flat(s_in),
            "rollout_b": flat(rb),
            "sum_matrix": float(s.sum()),
            "sum_input_matrix": float(s_in.sum()),
        })
    return {
        "name": name, "folder": folder, "pooling": pooling, "a": a, "b": bs, "a_ids": a_ids, "b_ids": b_ids,
        "rollout_a": flat(ra), "comparisons": comparisons,
    }


def tiny(folder):
    path = os.path.join(FIXTURES, folder)
    model = BertModel.from_pretrained(path, attn_implementation="eager", dtype=torch.float32).eval()
    tokenizer = BertTokenizerFast(os.path.join(path, "vocab.txt"), do_lower_case=True)
    return model, tokenizer


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
    parser.add_argument("output", nargs="?", default=os.path.join(FIXTURES, "similarity.json"))
    args = parser.parse_args()
    cases = []
    for folder, pooling in (("tiny-bert", "mean"), ("tiny-bert-f16", "cls"), ("tiny-bert-bf16", "max")):
        model, tokenizer = tiny(folder)
        cases.append(make_case(
            folder, folder, pooling, model, tokenizer, "the dog chased the ball",
            ["a cat is fast", "the dog was playing", "attention head"]))
    if os.path.exists(os.path.join(args.model, "model.safetensors")):
        model = BertModel.from_pretrained(args.model, attn_implementation="eager", dtype=torch.float32).eval()
        tokenizer = BertTokenizerFast.from_pretrained(args.model)
        cases.append(make_case(
            "minilm", "minilm", "mean", model, tokenizer, "A man is playing a guitar.",
            ["Someone plays an instrument.", "The stock market fell sharply today."]))
    else:
        print(f"no MiniLM at {args.model}: tiny cases only")
    with open(args.output, "w") as f:
        json.dump({"generator": "scripts/make-similarity-fixture.py", "cases": cases}, f, separators=(",", ":"))
        f.write("\n")
    for c in cases:
        for k, comparison in enumerate(c["comparisons"]):
            print(f'{c["name"]} b[{k}]: cosine {comparison["cosine"]:.6f} sum S {comparison["sum_matrix"]:.6f} '
                  f'sum S_in {comparison["sum_input_matrix"]:.6f}')
    print(f"wrote {args.output}: {len(cases)} cases")


if __name__ == "__main__":
    main()
