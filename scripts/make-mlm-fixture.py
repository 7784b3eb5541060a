#!/usr/bin/env python3
"""Writes Tests/TransformerTests/Fixtures/mlm/: a tiny random BertForMaskedLM and what Hugging Face `transformers`
computes on it, for the Swift MaskedLMTests and HeadRoleTests.

Checkpoints (seeded, 2 layers, hidden 32, 2 heads, vocab 64; LayerNorms and biases perturbed after init so none is
trivially 1 or 0), saved with `save_pretrained(safe_serialization=True)` plus a `vocab.txt`:
- tied/:   word embeddings tied to the decoder (`cls.predictions.decoder.weight` then absent from the file or equal
           to the word embeddings, as transformers saves it);
- untied/: `tie_word_embeddings=False`, its own decoder weight.
Golden values in expected.safetensors (index in expected.json), per checkpoint and case c:
- `{ckpt}.case{c}.logits` [n, V]: BertForMaskedLM's prediction logits (the MLM head on the last hidden state);
- `{ckpt}.case{c}.lens` [L+1, n, V]: the same head applied to every hidden state (hidden_states[0] = embeddings);
- `{ckpt}.case{c}.attentions` [L, H, n, n] (eager attention).
expected.json: per case its ids, tokens, the top-5 ids and softmax probabilities at each [MASK] position; and per
case the head roles computed here in numpy from the attentions (see `head_roles`), plus their mean over the cases.

Head roles (after Clark et al. 2019, "What Does BERT Look At?"), per layer and head, over query rows i of P [n, n]:
  cls         = mean_i Σ_{j: token j is [CLS]} P[i, j]        sep = the same for [SEP]
  previous    = mean_{i ≥ 1} P[i, i−1]                         next = mean_{i ≤ n−2} P[i, i+1]   (NaN when no row)
  self        = mean_i P[i, i]
  punctuation = mean_i Σ_{j: token j is all Unicode punctuation (after a leading "##")} P[i, j]
  entropy     = mean_i −Σ_j P[i, j] ln P[i, j]  (nats)
  tag         = the name of the largest of the six fractions when it is ≥ 0.5; else "broad" when
                entropy ≥ 0.8 · ln n (near uniform rows); else null.
Batch means: each value averaged over the inputs (NaN inputs left out), entropy ratio (entropy / ln n) averaged the
same way for "broad", tag from the means.

Usage: python3 scripts/make-mlm-fixture.py
"""

import json
import math
import os
import unicodedata

import numpy as np
import torch
from safetensors.torch import save_file
from transformers import BertConfig, BertForMaskedLM

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures", "mlm")

torch.set_grad_enabled(False)
torch.set_num_threads(2)

VOCAB = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", ".", ",", "!", "?", "'", "-", "##."]
VOCAB += "the a dog cat ball chased ran because it was fast slow big small red blue house tree park sun moon".split()
VOCAB += "and or but with to of in on at by i you he she we they is are".split()
VOCAB += ["##s", "##ed", "##ing", "##er", "play", "jump", "walk", "talk"]
VOCAB += ["[unused%d]" % i for i in range(64 - len(VOCAB))]
assert len(VOCAB) == 64
ID = {t: i for i, t in enumerate(VOCAB)}

SENTENCES = [
    "[CLS] the dog [MASK] the ball . [SEP]",
    "[CLS] the [MASK] ran to the park , because it was fast ! [SEP]",
    "[CLS] we play in the [MASK] [MASK] . [SEP] they walk ##ed . [SEP]",
    "the cat",
]


def make(tied):
    torch.manual_seed(13 if tied else 14)
    config = BertConfig(
        vocab_size=len(VOCAB), hidden_size=32, num_hidden_layers=2, num_attention_heads=2, intermediate_size=64,
        max_position_embeddings=32, type_vocab_size=2, hidden_act="gelu", layer_norm_eps=1e-12,
        tie_word_embeddings=tied, attn_implementation="eager")
    model = BertForMaskedLM(config).eval()
    g = torch.Generator().manual_seed(99 if tied else 98)
    for name, p in model.named_parameters():
        if "LayerNorm.weight" in name:
            p.copy_(1 + 0.2 * torch.randn(p.shape, generator=g))
        elif name.endswith("bias"):
            p.copy_(0.1 * torch.randn(p.shape, generator=g))
        elif "decoder.weight" in name and not tied:
            p.copy_(0.1 * torch.randn(p.shape, generator=g))
        elif "attention.self.query.weight" in name or "attention.self.key.weight" in name:
            p.mul_(12)  # peakier maps, so that some heads get a role tag besides "broad"
    return model


def is_punctuation(token):
    if token.startswith("##") and len(token) > 2:
        token = token[2:]
    return len(token) > 0 and all(unicodedata.category(ch).startswith("P") for ch in token)


def head_roles(att, tokens):
    """att [L, H, n, n] float64 → dict of [L][H] lists."""
    L, H, n, _ = att.shape
    cls = np.array([t == "[CLS]" for t in tokens], dtype=np.float64)
    sep = np.array([t == "[SEP]" for t in tokens], dtype=np.float64)
    punct = np.array([is_punctuation(t) for t in tokens], dtype=np.float64)
    out = {k: np.zeros((L, H)) for k in ["cls", "sep", "previous", "next", "self", "punctuation", "entropy"]}
    for l in range(L):
        for h in range(H):
            p = att[l, h]
            out["cls"][l, h] = (p @ cls).mean()
            out["sep"][l, h] = (p @ sep).mean()
            out["previous"][l, h] = np.mean([p[i, i - 1] for i in range(1, n)]) if n > 1 else math.nan
            out["next"][l, h] = np.mean([p[i, i + 1] for i in range(n - 1)]) if n > 1 else math.nan
            out["self"][l, h] = np.mean([p[i, i] for i in range(n)])
            out["punctuation"][l, h] = (p @ punct).mean()
            with np.errstate(divide="ignore", invalid="ignore"):
                logs = np.where(p > 0, np.log(np.where(p > 0, p, 1)), 0)
            out["entropy"][l, h] = (-(p * logs).sum(axis=1)).mean()
    ratio = out["entropy"] / math.log(n) if n > 1 else np.full((L, H), math.nan)
    return out, ratio


NAMES = ["cls", "sep", "previous", "next", "self", "punctuation"]


def tags(values, ratio):
    L, H = values["cls"].shape
    result = []
    for l in range(L):
        row = []
        for h in range(H):
            best, name = -1.0, None
            for k in NAMES:
                v = values[k][l, h]
                if not math.isnan(v) and v > best:
                    best, name = v, k
            if best >= 0.5:
                row.append(name)
            elif not math.isnan(ratio[l, h]) and ratio[l, h] >= 0.8:
                row.append("broad")
            else:
                row.append(None)
        result.append(row)
    return result


def nan_to_none(a):
    return [[None if math.isnan(v) else float(v) for v in row] for row in a]


def main():
    os.makedirs(OUT, exist_ok=True)
    tensors = {}
    index = {"vocab_size": len(VOCAB), "checkpoints": {}}
    for tied in (True, False):
        name = "tied" if tied else "untied"
        model = make(tied)
        folder = os.path.join(OUT, name)
        model.save_pretrained(folder, safe_serialization=True)
        with open(os.path.join(folder, "vocab.txt"), "w") as f:
            f.write("\n".join(VOCAB) + "\n")
        for extra in ("generation_config.json",):
            path = os.path.join(folder, extra)
            if os.path.exists(path):
                os.remove(path)
        cases = []
        all_roles, all_ratios = [], []
        for c, sentence in enumerate(SENTENCES):
            tokens = sentence.split()
            ids = [ID[t] for t in tokens]
            ids_t = torch.tensor([ids])
            out = model(input_ids=ids_t, attention_mask=torch.ones_like(ids_t), token_type_ids=torch.zeros_like(ids_t),
                        output_hidden_states=True, output_attentions=True)
            logits = out.logits[0]
            lens = torch.stack([model.cls(h)[0] for h in out.hidden_states])
            att = torch.stack([a[0] for a in out.attentions])
            prefix = f"{name}.case{c}."
            tensors[prefix + "logits"] = logits.contiguous()
            tensors[prefix + "lens"] = lens.contiguous()
            tensors[prefix + "attentions"] = att.contiguous()
            masks = [i for i, t in enumerate(tokens) if t == "[MASK]"]
            top = []
            for i in masks:
                probs = torch.softmax(logits[i].double(), dim=-1)
                p, k = torch.topk(probs, 5)
                top.append({"position": i, "ids": k.tolist(), "tokens": [VOCAB[j] for j in k.tolist()],
                            "probabilities": p.tolist()})
            values, ratio = head_roles(att.double().numpy(), tokens)
            all_roles.append(values)
            all_ratios.append(ratio)
            cases.append({
                "ids": ids, "tokens": tokens, "masks": masks, "top": top,
                "head_roles": {**{k: nan_to_none(v) for k, v in values.items()}, "tag": tags(values, ratio)},
            })
        mean = {}
        for k in NAMES + ["entropy"]:
            mean[k] = np.nanmean(np.stack([r[k] for r in all_roles]), axis=0)
        mean_ratio = np.nanmean(np.stack(all_ratios), axis=0)
        index["checkpoints"][name] = {
            "cases": cases,
            "head_roles_mean": {**{k: nan_to_none(v) for k, v in mean.items()}, "tag": tags(mean, mean_ratio)},
            "tensor_names": sorted(model.state_dict().keys()),
        }
    save_file(tensors, os.path.join(OUT, "expected.safetensors"))
    with open(os.path.join(OUT, "expected.json"), "w") as f:
        json.dump(index, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
