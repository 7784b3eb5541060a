#!/usr/bin/env python3
"""Generates Tests/TransformerTests/Fixtures/pairs/ with Hugging Face libraries: the reference for text pairs.

  pairs.json            text pairs tokenised by MiniLM's tokenizer (AutoTokenizer: the `tokenizers` fast one that
                        transformers runs), with and without special tokens, and truncated with
                        truncation="longest_first" at several max_length values and both truncation sides: ids,
                        tokens, token_type_ids, offsets (str indexes, relative to each token's own text),
                        sequence_ids. Plus one pair run through MiniLM ("model" below).
  minilm-pair.safetensors
                        MiniLM (eager attention, float32) on that pair with its token_type_ids: every layer's
                        attention [heads, n, n] ("attention.{l}") and the last hidden state ("hidden");
                        "attention_untyped.0" is layer 0 with all token types 0, to show the types matter.

Needs: torch (CPU), transformers, tokenizers, safetensors, and models/all-MiniLM-L6-v2 (scripts/fetch-model).
Usage: python3 scripts/make-pair-fixtures.py [--model models/all-MiniLM-L6-v2]
"""
import argparse
import json
import os

import torch
from safetensors.torch import save_file
from transformers import AutoModel, AutoTokenizer

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures", "pairs")

PAIRS = [
    ("The dog chased the ball.", "It was fast!"),
    ("How old are you?", "I am six years old, and my sister is nine."),
    ("Unaffable résumé naïveté", "Tokenization of un-splittable wordpieces"),
    ("東京 is big", "[SEP] typed in the text counts as text"),
    ("one two three four five six seven eight nine ten", "a b c d e f g h i j"),
    ("short", "a much longer second text with many more words in it than the first one has"),
    ("a much longer first text with many more words in it than the second one has", "short"),
]
MODEL_PAIR = ("The dog chased the ball because it was fast.", "It ran across the park.")


def encode(tokenizer, a, b, **kwargs):
    e = tokenizer(a, b, return_offsets_mapping=True, **kwargs)
    sequences = e.sequence_ids()
    offsets = [None if s is None else list(o) for o, s in zip(e["offset_mapping"], sequences)]
    return {
        "ids": e["input_ids"], "tokens": e.tokens(), "type_ids": e["token_type_ids"], "offsets": offsets,
        "sequence_ids": sequences,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=os.path.join(ROOT, "models", "all-MiniLM-L6-v2"))
    args = parser.parse_args()
    torch.set_grad_enabled(False)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    assert tokenizer.is_fast, "expected the tokenizers-backed tokenizer"
    cases = []
    for a, b in PAIRS:
        for special in [True, False]:
            cases.append(dict(first=a, second=b, add_special_tokens=special, max_length=None, side="right",
                              **encode(tokenizer, a, b, add_special_tokens=special)))
        for max_length in [9, 12, 15, 16]:
            for side in ["right", "left"]:
                tokenizer.truncation_side = side
                cases.append(dict(first=a, second=b, add_special_tokens=True, max_length=max_length, side=side,
                                  **encode(tokenizer, a, b, truncation="longest_first", max_length=max_length)))
        tokenizer.truncation_side = "right"
        cases.append(dict(first=a, second=b, add_special_tokens=False, max_length=7, side="right",
                          **encode(tokenizer, a, b, add_special_tokens=False, truncation="longest_first",
                                   max_length=7)))

    model = AutoModel.from_pretrained(args.model, attn_implementation="eager").eval().float()
    inputs = tokenizer(*MODEL_PAIR, return_tensors="pt")
    out = model(**inputs, output_attentions=True)
    tensors = {f"attention.{l}": a[0].contiguous() for l, a in enumerate(out.attentions)}
    tensors["hidden"] = out.last_hidden_state[0].contiguous()
    untyped = model(input_ids=inputs["input_ids"], attention_mask=inputs["attention_mask"],
                    token_type_ids=torch.zeros_like(inputs["token_type_ids"]), output_attentions=True)
    tensors["attention_untyped.0"] = untyped.attentions[0][0].contiguous()
    os.makedirs(OUT, exist_ok=True)
    save_file(tensors, os.path.join(OUT, "minilm-pair.safetensors"))
    document = {
        "generator": "scripts/make-pair-fixtures.py",
        "transformers": __import__("transformers").__version__,
        "tokenizers": __import__("tokenizers").__version__,
        "cases": cases,
        "model": {
            "first": MODEL_PAIR[0], "second": MODEL_PAIR[1], "ids": inputs["input_ids"][0].tolist(),
            "type_ids": inputs["token_type_ids"][0].tolist(),
            "sentence_b_start": inputs["token_type_ids"][0].tolist().index(1),
        },
    }
    with open(os.path.join(OUT, "pairs.json"), "w") as f:
        json.dump(document, f, ensure_ascii=False, indent=0)
    print(f"wrote {len(cases)} tokenizer cases and the MiniLM pair to {OUT}")


if __name__ == "__main__":
    main()
