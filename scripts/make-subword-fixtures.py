#!/usr/bin/env python3
"""Generates the subword-model fixtures under Tests/TransformerTests/Fixtures/tokenizers/ with `tokenizers`.

  subword-corpus.txt    a deterministic ≥ 500-line corpus (accents, CJK, Hangul, emoji with ZWJ
                        and skin tones, Arabic/Hebrew/Cyrillic/Greek/Devanagari, digits of several scripts, Unicode
                        spaces and whitespace runs, contractions, punctuation runs, very long words). The last
                        HELD_OUT lines use characters never seen in training (unknown tokens, byte fallback).
  subword/split.json    GPT-2 ByteLevel split (`ByteLevel(add_prefix_space=False, use_regex=True)`) of every line
                        (and of a few more: decomposed accents, U+2028, U+0085...): the byte-level-mapped pieces.
Decomposed accents (e + U+0301) stay out of the model corpus: Swift `String` keys treat them as equal to the
precomposed forms, so a vocabulary holding both cannot be read exactly through JSONSerialization (a documented
limitation).
  subword/bpe.json      per BPE variant, its "model" object (as in tokenizer.json) and, for every distinct word
                        of the corpus as that variant's pre-tokenizer splits it, `model.tokenize(word)`:
                        [word, ids, flat UTF-8 byte offsets (start, end per token)] and, only when some token's
                        value is not its id's vocabulary string, the values.
  subword/unigram.json  the same for Unigram variants (Metaspace pre-tokenizer).

Variants: byte-level BPE (GPT-2 style) with and without ignore_merges; classic BPE with
continuing_subword_prefix "##" and end_of_word_suffix "</w>", an unk token, fuse_unk off/on, byte_fallback on
(<0xNN> tokens appended), merges both as "a b" strings and as [a, b] pairs; Unigram with and without byte fallback.

Needs: tokenizers. Usage: python3 scripts/make-subword-fixtures.py
"""
import json
import os
import random

from tokenizers import Tokenizer, models, pre_tokenizers, trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures", "tokenizers")
HELD_OUT = 40

ENGLISH = ("the of and to in is was for on that with as by at from his her they you it he she we be this are not "
           "have had but one all were when there can an which their said if do will each about how up out them "
           "then many some so these would other into has more two like time see could people than first water "
           "been call who oil now find long down day did get come made may part over new sound take only little "
           "work know place year live me back give most very after thing our just name good sentence man think "
           "say great where help through much before line right too mean old any same tell boy follow came want "
           "show also around form three small set put end does another well large must big even such because "
           "turn here why ask went men read need land different home us move try kind hand picture again change "
           "off play spell air away animal house point page letter mother answer found study still learn should "
           "attention transformer encoder tokenizer embedding layer head matrix vector softmax gradient").split()
ACCENTED = ("café résumé naïve façade crème brûlée über Straße Größe München déjà vu piñata año niño São Paulo "
            "coração àéîõü Ærøskøbing Åland Ćevapčići Łódź Dvořák İstanbul ğüşıöç Þingvellir Œuvre").split()
DECOMPOSED = ["cafe\u0301", "re\u0301sume\u0301", "nai\u0308ve", "n\u0303", "A\u030a", "o\u0308\u0304"]
CJK = ("東京 大阪 京都 日本語 中文 汉字 漢字 北京 上海 学生 先生 電車 ひらがな カタカナ こんにちは ありがとう "
       "すし ラーメン 한국어 안녕하세요 감사합니다 서울 부산").split()
OTHER = ("Привет мир Москва Ελληνικά αβγδε Αθήνα שלום עולם مرحبا بالعالم القاهرة नमस्ते दुनिया हिन्दी "
         "สวัสดี ภาษาไทย").split()
EMOJI = ["😀", "🎉", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "🇫🇷", "🇯🇵", "🤖", "🧠", "✨", "🔥🔥🔥", "👩🏻‍💻"]
NUMBERS = ["42", "3.14159", "1,000,000", "2026", "٣٤٥", "१२३", "²³", "½", "Ⅻ", "007", "12th", "x86_64", "0xFF",
           "1e-5", "-273.15", "100%"]
PUNCT = ["!", "?", "...", "—", "–", "«", "»", "“", "”", "(", ")", "[", "]", "{", "}", ";", ":", "--", "!?", "@",
         "#", "$", "€", "£", "¥", "&", "*", "/", "\\", "|", "~", "^", "<", ">", "=", "+", "_", "`", "'", "\""]
CONTRACTIONS = ["don't", "we'll", "I'm", "you're", "they've", "she'd", "it's", "can't", "I'M", "WE'LL", "'s",
                "o'clock", "rock'n'roll", "''quoted''", "'tis", "y'all'd've"]
SPACES = [" ", " ", " ", " ", "  ", "   ", "\t", " \t ", "\u00a0", "\u3000", "\u2009", "    ", " \u200b "]
UNSEEN = ("ქართული Հայերեն ትግርኛ ᏣᎳᎩ ꦗꦮ 𓀀𓁐 🦩🪐 ᚠᚢᚦ ⴰⵣⵓⵍ ꓐꓳ 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 ಕನ್ನಡ ລາວ ܣܘܪܝܝܐ").split()


def word(rng):
    r = rng.random()
    if r < 0.55:
        w = rng.choice(ENGLISH)
        return w.capitalize() if rng.random() < 0.15 else (w.upper() if rng.random() < 0.03 else w)
    if r < 0.63:
        return rng.choice(ACCENTED)
    if r < 0.72:
        return rng.choice(CJK)
    if r < 0.77:
        return rng.choice(OTHER)
    if r < 0.81:
        return rng.choice(EMOJI)
    if r < 0.86:
        return rng.choice(NUMBERS)
    if r < 0.93:
        return rng.choice(CONTRACTIONS)
    if r < 0.97:
        return rng.choice(ENGLISH) + rng.choice(PUNCT) + rng.choice(PUNCT)
    return "".join(rng.choice(ENGLISH) for _ in range(rng.randint(8, 40)))  # a very long word


def line(rng, words):
    out = []
    for i in range(rng.randint(1, 18)):
        if i:
            out.append(rng.choice(SPACES) if rng.random() < 0.25 else " ")
        out.append(words(rng))
        if rng.random() < 0.12:
            out.append(rng.choice(PUNCT))
    text = "".join(out)
    r = rng.random()
    if r < 0.05:
        text = "  " + text
    elif r < 0.10:
        text = text + "   "
    elif r < 0.12:
        text = text + "\t"
    return text


def corpus():
    rng = random.Random(14)
    lines = [line(rng, word) for _ in range(560)]
    lines += ["a" * 300, "ab" * 150, "9" * 120, " " * 17, "\t\t", "x", "'", "''", "' s", "'ll've"]
    unseen = []
    for _ in range(HELD_OUT):
        unseen.append(" ".join(rng.choice(UNSEEN + ENGLISH[:20]) for _ in range(rng.randint(1, 8))))
    return lines, unseen


def write_json(name, value):
    with open(os.path.join(OUT, "subword", name), "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def train(model, pre_tokenizer, trainer, lines):
    tokenizer = Tokenizer(model)
    tokenizer.pre_tokenizer = pre_tokenizer
    tokenizer.train_from_iterator(lines, trainer=trainer)
    return json.loads(tokenizer.to_str())


def with_model(base, pre_tokenizer, **changes):
    tok = json.loads(json.dumps(base))
    tok["model"].update(changes)
    tokenizer = Tokenizer.from_str(json.dumps(tok))
    tokenizer.pre_tokenizer = pre_tokenizer
    return tokenizer, tok["model"]


def add_bytes(model_json):
    vocab = model_json["vocab"]
    extra = {}
    for b in range(256):
        piece = "<0x%02X>" % b
        if isinstance(vocab, dict):
            if piece not in vocab:
                extra[piece] = len(vocab) + len(extra)
        else:
            extra[piece] = -20.0 - b / 256
    if isinstance(vocab, dict):
        vocab.update(extra)
    else:
        vocab.extend([piece, score] for piece, score in extra.items())


def record(tokenizer, model_json, lines):
    words, seen = [], set()
    for text in lines:
        for piece, _ in tokenizer.pre_tokenizer.pre_tokenize_str(text):
            if piece not in seen:
                seen.add(piece)
                words.append(piece)
    cases = []
    for w in words:
        tokens = tokenizer.model.tokenize(w)
        case = [w, [t.id for t in tokens], [o for t in tokens for o in t.offsets]]
        values = [t.value for t in tokens]
        if values != [tokenizer.model.id_to_token(t.id) for t in tokens]:
            case.append(values)  # only when a value is not the id's vocabulary string (Unigram's unknown pieces)
        cases.append(case)
    return {"model": model_json, "words": cases}


def main():
    os.makedirs(os.path.join(OUT, "subword"), exist_ok=True)
    train_lines, unseen = corpus()
    lines = train_lines + unseen
    with open(os.path.join(OUT, "subword-corpus.txt"), "w", encoding="utf-8", newline="") as f:
        f.write("\n".join(lines) + "\n")

    split = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    extra = DECOMPOSED + ["a\u2028b", "x\u0085 y", "\u000b\u000c z", "\r\n", " \u1680x", "\u205f\u00a0 9"]
    write_json("split.json", [[text, [p for p, _ in split.pre_tokenize_str(text)]] for text in lines + extra])

    bpe = {}
    byte_level = pre_tokenizers.ByteLevel(add_prefix_space=False, use_regex=True)
    base = train(models.BPE(), byte_level, trainers.BpeTrainer(
        vocab_size=700, min_frequency=2, show_progress=False, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        special_tokens=["<|endoftext|>"]), train_lines)
    for name, changes in [("byte-level", {}), ("byte-level-ignore-merges", {"ignore_merges": True})]:
        tokenizer, model_json = with_model(base, byte_level, **changes)
        bpe[name] = record(tokenizer, model_json, lines)

    whitespace = pre_tokenizers.Whitespace()
    classic = train(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"),
                    whitespace, trainers.BpeTrainer(
                        vocab_size=900, min_frequency=2, show_progress=False, limit_alphabet=120,
                        continuing_subword_prefix="##", end_of_word_suffix="</w>", special_tokens=["[UNK]"]),
                    train_lines)
    legacy = [" ".join(pair) for pair in classic["model"]["merges"]]
    with_bytes = json.loads(json.dumps(classic["model"]))
    add_bytes(with_bytes)
    for name, changes in [
        ("classic", {}),
        ("classic-legacy-merges-fuse-unk", {"merges": legacy, "fuse_unk": True}),
        ("classic-byte-fallback", {"vocab": with_bytes["vocab"], "byte_fallback": True}),
    ]:
        tokenizer, model_json = with_model(classic, whitespace, **changes)
        bpe[name] = record(tokenizer, model_json, lines)
    write_json("bpe.json", bpe)

    unigram = {}
    metaspace = pre_tokenizers.Metaspace()
    base = train(models.Unigram(), metaspace, trainers.UnigramTrainer(
        vocab_size=800, show_progress=False, unk_token="<unk>", special_tokens=["<pad>", "<unk>"],
        max_piece_length=12), train_lines)
    with_bytes = json.loads(json.dumps(base["model"]))
    add_bytes(with_bytes)
    for name, changes in [("unigram", {}), ("unigram-byte-fallback",
                                             {"vocab": with_bytes["vocab"], "byte_fallback": True})]:
        tokenizer, model_json = with_model(base, metaspace, **changes)
        unigram[name] = record(tokenizer, model_json, lines)
    write_json("unigram.json", unigram)


if __name__ == "__main__":
    main()
