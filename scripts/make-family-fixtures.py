#!/usr/bin/env python3
"""Generates the encoder-family fixtures of Tests/TransformerTests/Fixtures/families with Hugging Face transformers.

For each family a tiny random checkpoint (seeded, 2 layers, d = 32, 2 heads of 16, FFN 64, vocabulary 300) is made
with `transformers`, every parameter perturbed after init (LayerNorm γ around 1, biases and β non-zero), saved with
`save_pretrained(safe_serialization=True)` (config.json + model.safetensors), plus the tiny WordPiece vocab.txt of
Fixtures/tiny-bert (the tokenizer Attend loads today; the ids below index it) and the golden tensors of
`transformers` eager fp32 on a few id sequences, each run alone (no padding):

  families/<family>/expected.safetensors   case{i}.hidden.{l} [n, d] (l = 0…L, embeddings first; the last one after
                                           the final norm where the family has one), case{i}.attention.{l} [H, n, n]
  families/<family>/expected.json          {"cases": [{"ids": [...]}, ...]}

Families: roberta (bare names), xlm-roberta (names re-saved with the `roberta.` prefix), distilbert, gpt2,
modernbert (3 layers: global, local, global with global_attn_every_n_layers = 2 and local_attention = 4, so the
window |i - j| <= 2 bites on the 12- and 19-token cases; ModernBERT's defaults: no biases anywhere) and
modernbert-biases (norm_bias, attention_bias and mlp_bias true, names re-saved with the `model.` prefix).
ModernBERT's hidden_states are the embeddings, each layer's output, the last one replaced by last_hidden_state
(after final_norm), as transformers 5 returns them.

Usage: python3 scripts/make-family-fixtures.py [family ...]   (no argument: every family)
"""

import json
import os
import shutil
import sys

import torch
from safetensors.torch import load_file, save_file
from transformers import (
    DistilBertConfig,
    DistilBertModel,
    GPT2Config,
    GPT2Model,
    ModernBertConfig,
    ModernBertModel,
    RobertaConfig,
    RobertaModel,
    XLMRobertaConfig,
    XLMRobertaModel,
)
from transformers.models.modernbert.modeling_modernbert import ModernBertRotaryEmbedding

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
FIXTURES = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures")
OUT = os.path.join(FIXTURES, "families")

torch.set_grad_enabled(False)
torch.set_num_threads(2)

# Ids avoid 1 (RoBERTa's padding_idx, which create_position_ids_from_input_ids would not count).
CASES = [
    [0, 77, 80, 81, 2],
    [0, 100, 101, 102, 103, 104, 2, 120, 121, 122, 123, 2],
    [5, 299, 7, 150, 151, 3, 4, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20],
]


def randomise(model, seed):
    """Perturbs every parameter so LayerNorm γ/β and biases matter (inits are 0.02-normal, LayerNorm 1/0)."""
    gen = torch.Generator().manual_seed(seed)
    for name, p in model.named_parameters():
        if "norm" in name.lower() or ".ln_" in name or name.startswith("ln_"):
            if name.endswith("weight"):
                p.copy_(1.0 + 0.1 * torch.randn(p.shape, generator=gen))
            else:
                p.copy_(0.05 * torch.randn(p.shape, generator=gen))
        elif name.endswith("bias"):
            p.copy_(0.05 * torch.randn(p.shape, generator=gen))
        else:
            p.copy_(0.2 * torch.randn(p.shape, generator=gen))


def run(model, ids):
    out = model(input_ids=torch.tensor([ids]), output_attentions=True, output_hidden_states=True)
    hidden = [h[0].contiguous() for h in out.hidden_states]
    attentions = [a[0].contiguous() for a in out.attentions]
    return hidden, attentions


def save(name, model, seed, prefix=None):
    folder = os.path.join(OUT, name)
    shutil.rmtree(folder, ignore_errors=True)
    model.eval()
    randomise(model, seed)
    model.save_pretrained(folder, safe_serialization=True)
    if prefix:
        path = os.path.join(folder, "model.safetensors")
        tensors = load_file(path)
        save_file({prefix + k: v.contiguous() for k, v in tensors.items()}, path, metadata={"format": "pt"})
    shutil.copy(os.path.join(FIXTURES, "tiny-bert", "vocab.txt"), os.path.join(folder, "vocab.txt"))
    tensors = {}
    for i, ids in enumerate(CASES):
        hidden, attentions = run(model, ids)
        for layer, h in enumerate(hidden):
            tensors[f"case{i}.hidden.{layer}"] = h
        for layer, a in enumerate(attentions):
            tensors[f"case{i}.attention.{layer}"] = a
    tensors = {k: v.to(torch.float32).contiguous() for k, v in tensors.items()}
    save_file(tensors, os.path.join(folder, "expected.safetensors"), metadata={"generator": "make-family-fixtures"})
    with open(os.path.join(folder, "expected.json"), "w") as f:
        json.dump({"cases": [{"ids": ids} for ids in CASES]}, f, indent=1)
        f.write("\n")
    print(name, {k: os.path.getsize(os.path.join(folder, k)) for k in sorted(os.listdir(folder))})


def roberta_config(cls):
    return cls(
        vocab_size=300,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=64,
        hidden_act="gelu",
        max_position_embeddings=64 + 2,
        type_vocab_size=1,
        layer_norm_eps=1e-5,
        pad_token_id=1,
        hidden_dropout_prob=0.0,
        attention_probs_dropout_prob=0.0,
        attn_implementation="eager",
    )


def modernbert_config(biases):
    return ModernBertConfig(
        vocab_size=300,
        hidden_size=32,
        intermediate_size=64,
        num_hidden_layers=3,
        num_attention_heads=2,
        hidden_activation="gelu",
        max_position_embeddings=64,
        global_attn_every_n_layers=2,
        local_attention=4,
        global_rope_theta=160000.0,
        local_rope_theta=10000.0,
        norm_eps=1e-5,
        norm_bias=biases,
        attention_bias=biases,
        mlp_bias=biases,
        pad_token_id=0,
        bos_token_id=2,
        eos_token_id=3,
        cls_token_id=2,
        sep_token_id=3,
        embedding_dropout=0.0,
        attention_dropout=0.0,
        mlp_dropout=0.0,
        attn_implementation="eager",
    )


def save_rotary():
    """families/modernbert/rotary.json: transformers' float32 cos/sin at ModernBERT-base's shape (dh = 64,
    8192 positions) for a few positions, both θ, so Attend's tables are checked where float32 angle rounding
    matters (p · inv_freq for large p)."""
    config = ModernBertConfig(
        hidden_size=768, num_attention_heads=12, num_hidden_layers=3, max_position_embeddings=8192,
        global_attn_every_n_layers=3, global_rope_theta=160000.0, local_rope_theta=10000.0,
    )
    rotary = ModernBertRotaryEmbedding(config)
    positions = [0, 1, 7, 100, 1000, 4097, 8191]
    x = torch.zeros(1, len(positions), 64)
    ids = torch.tensor([positions])
    out = {"head_size": 64, "positions": positions}
    for kind, key in [("full_attention", "global"), ("sliding_attention", "local")]:
        cos, sin = rotary(x, ids, kind)
        out[key] = {
            "theta": config.rope_parameters[kind]["rope_theta"],
            "cos": [[float(v) for v in row[:32]] for row in cos[0]],
            "sin": [[float(v) for v in row[:32]] for row in sin[0]],
        }
    with open(os.path.join(OUT, "modernbert", "rotary.json"), "w") as f:
        json.dump(out, f)
        f.write("\n")


def main():
    only = set(sys.argv[1:])
    os.makedirs(OUT, exist_ok=True)
    if not only or "modernbert" in only:
        torch.manual_seed(5)
        save("modernbert", ModernBertModel(modernbert_config(False)), seed=105)
        save_rotary()
    if not only or "modernbert-biases" in only:
        torch.manual_seed(6)
        save("modernbert-biases", ModernBertModel(modernbert_config(True)), seed=106, prefix="model.")
    if only:
        return
    torch.manual_seed(0)
    save("roberta", RobertaModel(roberta_config(RobertaConfig), add_pooling_layer=False), seed=101)
    torch.manual_seed(1)
    save(
        "xlm-roberta",
        XLMRobertaModel(roberta_config(XLMRobertaConfig), add_pooling_layer=False),
        seed=102,
        prefix="roberta.",
    )
    torch.manual_seed(2)
    distil = DistilBertConfig(
        vocab_size=300,
        dim=32,
        n_layers=2,
        n_heads=2,
        hidden_dim=64,
        activation="gelu",
        max_position_embeddings=64,
        sinusoidal_pos_embds=False,
        dropout=0.0,
        attention_dropout=0.0,
        pad_token_id=0,
        attn_implementation="eager",
    )
    save("distilbert", DistilBertModel(distil), seed=103)
    torch.manual_seed(3)
    gpt2 = GPT2Config(
        vocab_size=300,
        n_embd=32,
        n_layer=2,
        n_head=2,
        n_inner=None,
        n_positions=64,
        activation_function="gelu_new",
        layer_norm_epsilon=1e-5,
        resid_pdrop=0.0,
        embd_pdrop=0.0,
        attn_pdrop=0.0,
        attn_implementation="eager",
    )
    save("gpt2", GPT2Model(gpt2), seed=104)


if __name__ == "__main__":
    main()
