#!/usr/bin/env python3
"""Generates Tests/TransformerTests/Fixtures/tokenizers/ with the Hugging Face `tokenizers` library: the reference
for Attend's `tokenizer.json` pipeline.

  corpus.json           the committed corpus (a JSON list of texts: accents, CJK, emoji and ZWJ sequences,
                        whitespace runs with tabs/newlines/multiple spaces, very long words, digits, punctuation,
                        mixed scripts, characters outside every trained vocabulary for byte fallback). Written by
                        --make-corpus (seeded) only; the fixtures are made from the committed file.
  KIND/tokenizer.json   a tokenizer trained (deterministically: one thread, fixed corpus order) on the corpus:
                        wordpiece  BERT-style: BertNormalizer, BertPreTokenizer, WordPiece, TemplateProcessing
                        bytebpe    GPT-2/RoBERTa-style: ByteLevel pre-tokenizer, byte-level BPE, RobertaProcessing
                        unigram    XLM-R-style: NFKC, Metaspace, Unigram with byte_fallback, TemplateProcessing
                        mixed      non-byte-level BPE with continuing_subword_prefix and end_of_word_suffix,
                                   normalizer and pre-tokenizer Sequences (NFD, StripAccents, Lowercase, Replace,
                                   Strip, WhitespaceSplit, Punctuation, Digits, Split), BertProcessing
                        plus added tokens (special and not, single_word, lstrip, rstrip, normalized).
                        precompiled  a real XLM-R-style file: a SentencePiece Unigram model trained with the
                                   `sentencepiece` package (default `nmt_nfkc` rule) on the corpus, converted by
                                   `transformers.convert_slow_tokenizer.XLMRobertaConverter` (Precompiled
                                   normalizer with its charsmap, Strip, Replace, Metaspace, TemplateProcessing)
  KIND/expected.json    "singles": every corpus text; "plain": the first 60 without special tokens; "pairs": 40 pairs
                        of consecutive texts (with type ids); "words": 40 texts split on " " as pre-split words. Each
                        has ids, tokens, offsets (Python str indexes as start * 10000 + end, null for the
                        post-processor's special tokens) and word ids. "decoded": for every corpus text, the
                        file's decoder's `decode(ids)` of its "singles" ids with skip_special_tokens true, false.
  decoders.json         more decoders on the same files (their "decoder" replaced): BPEDecoder, ByteFallback,
                        Fuse, Strip, Replace, CTC and Sequences of them; per case the decoder object and, for the
                        first 150 corpus texts, the ids and `decode(ids, skip_special_tokens=...)` both ways.
  exact/KIND.json       tokenizers whose vocabularies, merges and added tokens hold canonically equivalent but
                        different strings (precomposed U+00E9 and e + U+0301, ï and i + U+0308), built with the
                        `tokenizers` API (bpe, wordpiece, unigram); exact/expected.json has their encodings of
                        texts using both forms and each vocabulary (token -> id) as `tokenizers` reports it.

The `tokenizers` trainers are not bit-for-bit reproducible (equal-count merges and pieces are ordered by hash maps),
so the committed tokenizer.json files are the reference: --retrain trains new ones; without it the expected outputs
are recomputed from the committed tokenizer.json files (reproducible).

Usage: python3 scripts/make-tokenizer-fixtures.py [--make-corpus] [--retrain]
"""
import argparse
import json
import os
import random

from tokenizers import AddedToken, Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors
from tokenizers import trainers

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "TransformerTests", "Fixtures", "tokenizers")
CORPUS = os.path.join(OUT, "corpus.json")

WORDS = [
    "the", "dog", "chased", "ball", "because", "it", "was", "fast", "attention", "transformer", "encoder",
    "résumé", "naïveté", "café", "Ångström", "façade", "crème", "brûlée", "Übermaß", "straße", "Ελληνικά",
    "λόγος", "Σοφία", "русский", "язык", "Привет", "東京", "大阪", "日本語", "中文", "汉字", "北京", "한국어",
    "안녕하세요", "ひらがな", "カタカナ", "العربية", "مرحبا", "עברית", "हिन्दी", "नमस्ते", "ไทย", "Tiếng",
    "Việt", "😀", "🎉", "👍🏽", "👨‍👩‍👧‍👦", "🏳️‍🌈", "❤️", "ﬁ", "①", "Ⅻ", "x²", "½", "ＡＢＣ", "ｶﾀｶﾅ",
    "2024", "3.14159", "1,000,000", "42nd", "v2.0.1", "#hashtag", "@user", "e-mail", "don't", "it's",
    "C++", "a/b", "(x)", "[y]", "{z}", "...", "!!", "?!", "--", "“quoted”", "«guillemets»", "…", "—",
    "New York", "<ent>", "[MASK]", "<mask>", "http://example.com/a?b=c", "snake_case", "camelCase",
]
FIXED = [
    "", " ", "  ", "\t", "\n", "a", "A", "Hello, world!", "Hello,  world!", " leading space", "trailing space ",
    "tabs\tand\ttabs", "new\nlines\n\nhere", "mixed \t\n whitespace   runs", "   three leading spaces",
    "The dog chased the ball because it was fast.", "THE DOG CHASED THE BALL.", "Ünïcödé àccénts éverywhere",
    "東京は大きい都市です。", "日本語とEnglishのmix", "한국어 텍스트입니다", "emoji 😀😀😀 row", "family 👨‍👩‍👧‍👦 zwj",
    "flags 🇫🇷🇯🇵 and 🏳️‍🌈", "skin tones 👍🏻👍🏿", "digits 1234567890 and 3.14", "1 2 3 4 5 6 7 8 9 0",
    "punctuation!!! ??? ... --- ;;; :::", "a" * 120, "supercalifragilisticexpialidocious" * 3,
    "Pneumonoultramicroscopicsilicovolcanoconiosis", "x" * 250 + " short", "ｆｕｌｌｗｉｄｔｈ ＡＢＣ １２３",
    "ﬁnancial ﬂow ﬀ", "combining e\u0301 vs é", "zero\u200bwidth\u200cnon\u200djoiner", "soft\u00adhyphen",
    "control\u0007bell\u0000nul", "nbsp\u00a0here\u2003em", "Ελληνικά ΣΟΦΙΑ σοφία", "Привет, мир!",
    "مرحبا بالعالم", "שלום עולם", "नमस्ते दुनिया", "สวัสดีชาวโลก", "Tiếng Việt có dấu",
    "I live in New York.", "New Yorker is not New York", "a <ent> b", "a<ent>b", "<ent> at start",
    "hello [MASK] world", "[MASK][MASK]", "hello <mask> world", "<s> typed </s>", "[CLS] typed [SEP]",
    "rare 𝔘𝔫𝔦𝔠𝔬𝔡𝔢 math", "ancient 𓀀𓀁 hieroglyphs", "private \ue000 use", "replacement \ufffd char",
    "e-mail: someone@example.com", "url https://example.org/path?q=1&r=2#frag", "snake_case_name camelCaseName",
    "don't can't won't it's", "«Bonjour» “Hello” ‘hi’", "Ⅻ ① ½ x² H₂O", "tab\tat\tend\t", "\n\nnewlines first",
]


def make_corpus():
    rng = random.Random(14)
    texts = list(FIXED)
    separators = [" ", " ", " ", "  ", "\t", "\n", " \t ", "   ", "", ", ", ". "]
    while len(texts) < 560:
        n = rng.randint(1, 14)
        parts = []
        for _ in range(n):
            word = rng.choice(WORDS)
            roll = rng.random()
            if roll < 0.08:
                word = word.upper()
            elif roll < 0.12:
                word = word * rng.randint(2, 6)
            elif roll < 0.15:
                word = chr(rng.randint(0x4E00, 0x9FFF)) + chr(rng.randint(0xAC00, 0xD7A3))
            elif roll < 0.17:
                word = chr(rng.randint(0x1F300, 0x1FAFF))
            parts.append(word)
            parts.append(rng.choice(separators))
        texts.append("".join(parts).rstrip("\n") if rng.random() < 0.5 else "".join(parts))
    with open(CORPUS, "w", encoding="utf-8") as f:
        json.dump(texts, f, ensure_ascii=False, indent=0)
        f.write("\n")


def wordpiece():
    t = Tokenizer(models.WordPiece(unk_token="[UNK]", max_input_chars_per_word=100))
    t.normalizer = normalizers.BertNormalizer(clean_text=True, handle_chinese_chars=True, strip_accents=None,
                                              lowercase=True)
    t.pre_tokenizer = pre_tokenizers.BertPreTokenizer()
    t.decoder = decoders.WordPiece(prefix="##")
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    trainer = trainers.WordPieceTrainer(vocab_size=1200, special_tokens=specials, show_progress=False)
    return t, trainer, lambda t: processors.TemplateProcessing(
        single="[CLS] $A [SEP]", pair="[CLS] $A [SEP] $B:1 [SEP]:1",
        special_tokens=[("[CLS]", t.token_to_id("[CLS]")), ("[SEP]", t.token_to_id("[SEP]"))])


def bytebpe():
    t = Tokenizer(models.BPE())
    t.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    t.decoder = decoders.ByteLevel()
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    trainer = trainers.BpeTrainer(vocab_size=1500, special_tokens=specials, show_progress=False,
                                  initial_alphabet=pre_tokenizers.ByteLevel.alphabet())
    return t, trainer, lambda t: processors.RobertaProcessing(
        ("</s>", t.token_to_id("</s>")), ("<s>", t.token_to_id("<s>")), trim_offsets=True, add_prefix_space=False)


def unigram():
    t = Tokenizer(models.Unigram())
    t.normalizer = normalizers.NFKC()
    t.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    t.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always", split=True)
    specials = ["<s>", "<pad>", "</s>", "<unk>"]
    trainer = trainers.UnigramTrainer(vocab_size=1200, special_tokens=specials, unk_token="<unk>",
                                      show_progress=False, shrinking_factor=0.75, max_piece_length=16)
    return t, trainer, lambda t: processors.TemplateProcessing(
        single="<s> $A </s>", pair="<s> $A </s> </s> $B </s>",
        special_tokens=[("<s>", t.token_to_id("<s>")), ("</s>", t.token_to_id("</s>"))])


def mixed():
    t = Tokenizer(models.BPE(unk_token="[UNK]", continuing_subword_prefix="##", end_of_word_suffix="</w>"))
    t.normalizer = normalizers.Sequence([
        normalizers.NFD(), normalizers.StripAccents(), normalizers.Lowercase(),
        normalizers.Replace("``", '"'), normalizers.Replace(Regex(r"\s+"), " "), normalizers.Strip()])
    t.pre_tokenizer = pre_tokenizers.Sequence([
        pre_tokenizers.WhitespaceSplit(), pre_tokenizers.Punctuation(behavior="isolated"),
        pre_tokenizers.Digits(individual_digits=True), pre_tokenizers.Split("-", behavior="merged_with_previous")])
    specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
    trainer = trainers.BpeTrainer(vocab_size=1200, special_tokens=specials, show_progress=False,
                                  continuing_subword_prefix="##", end_of_word_suffix="</w>")
    return t, trainer, lambda t: processors.BertProcessing(
        ("[SEP]", t.token_to_id("[SEP]")), ("[CLS]", t.token_to_id("[CLS]")))


def precompiled(texts, folder):
    """Trains a SentencePiece Unigram model (nmt_nfkc) on the corpus and converts it as transformers does for
    XLM-R; the model file is only a step (the committed tokenizer.json is the reference)."""
    import tempfile
    import sentencepiece as spm
    from transformers import XLMRobertaTokenizer
    from transformers.convert_slow_tokenizer import XLMRobertaConverter
    with tempfile.TemporaryDirectory() as work:
        with open(os.path.join(work, "corpus.txt"), "w", encoding="utf-8") as f:
            for text in texts:
                f.write(text.replace("\n", " ") + "\n")
        prefix = os.path.join(work, "spm")
        spm.SentencePieceTrainer.train(
            input=os.path.join(work, "corpus.txt"), model_prefix=prefix, vocab_size=800, model_type="unigram",
            normalization_rule_name="nmt_nfkc", character_coverage=1.0, num_threads=1, minloglevel=2)
        slow = XLMRobertaTokenizer(vocab_file=prefix + ".model")
        slow.vocab_file = prefix + ".model"
        t = XLMRobertaConverter(slow).converted()
    t.add_special_tokens([AddedToken("<mask>", lstrip=True, rstrip=False, normalized=False, special=True)])
    os.makedirs(folder, exist_ok=True)
    t.save(os.path.join(folder, "tokenizer.json"), pretty=False)


def add_byte_fallback(t):
    """Unigram's trainer has no byte fallback: add the <0xNN> pieces with a low score and switch it on."""
    j = json.loads(t.to_str())
    vocab = j["model"]["vocab"]
    known = {piece for piece, _ in vocab}
    low = min(score for _, score in vocab) - 1.0
    vocab += [[f"<0x{b:02X}>", low] for b in range(256) if f"<0x{b:02X}>" not in known]
    j["model"]["byte_fallback"] = True
    return Tokenizer.from_str(json.dumps(j))


def train(kind, make, texts, folder):
    """Trains one tokenizer on the corpus (its added tokens and post-processor included) into folder."""
    t, trainer, post = make()
    t.train_from_iterator(texts * 3, trainer=trainer)
    if kind == "unigram":
        t = add_byte_fallback(t)
    t.post_processor = post(t)
    t.no_padding()
    t.no_truncation()
    mask = "<mask>" if kind in ("bytebpe", "unigram") else "[MASK]"
    t.add_special_tokens([AddedToken(mask, lstrip=True, rstrip=False, normalized=False, special=True)])
    t.add_tokens([AddedToken("New York", single_word=True, normalized=True),
                  AddedToken("<ent>", lstrip=True, rstrip=True, normalized=False)])
    os.makedirs(folder, exist_ok=True)
    t.save(os.path.join(folder, "tokenizer.json"), pretty=False)


def result(e, types=False):
    """ids, tokens, offsets (null for the post-processor's special tokens: special_tokens_mask 1) and word ids;
    type ids only for pairs (0 for one text)."""
    special = e.special_tokens_mask
    out = {
        "ids": e.ids, "tokens": e.tokens,
        "offsets": [None if s else o[0] * 10000 + o[1] for o, s in zip(e.offsets, special)],
        "word_ids": e.word_ids,
    }
    if types:
        out["type_ids"] = e.type_ids
    return out


PRECOMPOSED, DECOMPOSED = "\u00e9", "e\u0301"
EXACT_TEXTS = [
    "caf\u00e9 cafe\u0301", "e\u0301 \u00e9 e \u0301", "na\u00efve nai\u0308ve", "cafe\u0301na\u00efve",
    "\u00e9\u00e9 e\u0301e\u0301 \u00e9e\u0301", "caf", "x\u00e9 xe\u0301",
]


def exact_keys():
    """Vocabularies holding both U+00E9 and e + U+0301 (and ï / i + U+0308), one tokenizer per model kind."""
    added = [AddedToken("na\u00efve", normalized=False), AddedToken("nai\u0308ve", normalized=False)]
    chars = ["[UNK]", "c", "a", "f", "e", "\u0301", PRECOMPOSED, "n", "i", "v", "\u0308", "\u00ef", "x"]
    vocab = {c: i for i, c in enumerate(chars)}
    for token in ["ca", "caf", DECOMPOSED, "caf" + PRECOMPOSED, "caf" + DECOMPOSED]:
        vocab[token] = len(vocab)
    merges = [("c", "a"), ("ca", "f"), ("e", "\u0301"), ("caf", PRECOMPOSED), ("caf", DECOMPOSED)]
    bpe = Tokenizer(models.BPE(vocab=vocab, merges=merges, unk_token="[UNK]"))
    pieces = ["[UNK]", "caf", "##" + PRECOMPOSED, "##" + DECOMPOSED, PRECOMPOSED, DECOMPOSED, "e", "##e",
              "##\u0301", "\u0301", "na", "##\u00efve", "##i\u0308ve", "x", "##x"]
    wordpiece = Tokenizer(models.WordPiece(vocab={p: i for i, p in enumerate(pieces)}, unk_token="[UNK]"))
    scored = [("<unk>", 0.0), (PRECOMPOSED, -2.0), (DECOMPOSED, -2.5), ("e", -3.0), ("\u0301", -3.0),
              ("caf", -2.0), ("caf" + PRECOMPOSED, -3.0), ("caf" + DECOMPOSED, -3.5), ("c", -4.0), ("a", -4.0),
              ("f", -4.0), ("na", -3.0), ("\u00efve", -3.0), ("i\u0308ve", -3.2), ("\u00ef", -5.0)]
    unigram = Tokenizer(models.Unigram(scored, unk_id=0, byte_fallback=False))
    folder = os.path.join(OUT, "exact")
    os.makedirs(folder, exist_ok=True)
    expected = {}
    for kind, t in [("bpe", bpe), ("wordpiece", wordpiece), ("unigram", unigram)]:
        t.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
        t.add_tokens(added)
        t.save(os.path.join(folder, kind + ".json"), pretty=False)
        t = Tokenizer.from_file(os.path.join(folder, kind + ".json"))
        expected[kind] = {"texts": [[x, result(t.encode(x))] for x in EXACT_TEXTS],
                          "vocab": sorted(t.get_vocab(with_added_tokens=True).items(), key=lambda item: item[1])}
    with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
        json.dump(expected, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


DECODER_CASES = [
    ("mixed", {"type": "BPEDecoder", "suffix": "</w>"}),
    ("unigram", {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"String": "\u2581"}, "content": " "}, {"type": "ByteFallback"},
        {"type": "Fuse"}, {"type": "Strip", "content": " ", "start": 1, "stop": 0}]}),
    ("precompiled", {"type": "Sequence", "decoders": [
        {"type": "Strip", "content": "\u2581", "start": 1, "stop": 0},
        {"type": "Metaspace", "replacement": "\u2581", "prepend_scheme": "first", "split": False}]}),
    ("wordpiece", {"type": "CTC", "pad_token": "[PAD]", "word_delimiter_token": "##s", "cleanup": True}),
    ("wordpiece", {"type": "WordPiece", "prefix": "##", "cleanup": False}),
    ("bytebpe", {"type": "Sequence", "decoders": [
        {"type": "Replace", "pattern": {"Regex": "\u0120+"}, "content": "_"},
        {"type": "ByteLevel", "add_prefix_space": True, "trim_offsets": True, "use_regex": True}]}),
    ("mixed", None),
]


def other_decoders(texts):
    """(Strip with "stop" is left out: tokenizers 0.23 panics when it would strip a whole token.)"""
    cases = []
    for kind, decoder in DECODER_CASES:
        with open(os.path.join(OUT, kind, "tokenizer.json"), encoding="utf-8") as f:
            j = json.load(f)
        j["decoder"] = decoder
        t = Tokenizer.from_str(json.dumps(j))
        items = []
        for text in texts[:150]:
            ids = t.encode(text).ids
            items.append([ids, t.decode(ids, skip_special_tokens=True), t.decode(ids, skip_special_tokens=False)])
        cases.append({"kind": kind, "decoder": decoder, "cases": items})
    with open(os.path.join(OUT, "decoders.json"), "w", encoding="utf-8") as f:
        json.dump(cases, f, ensure_ascii=False, separators=(",", ":"))
        f.write("\n")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--make-corpus", action="store_true")
    parser.add_argument("--retrain", action="store_true")
    args = parser.parse_args()
    os.environ["RAYON_NUM_THREADS"] = "1"
    os.environ["TOKENIZERS_PARALLELISM"] = "false"
    if args.make_corpus:
        make_corpus()
    with open(CORPUS, encoding="utf-8") as f:
        texts = json.load(f)
    kinds = [("wordpiece", wordpiece), ("bytebpe", bytebpe), ("unigram", unigram), ("mixed", mixed),
             ("precompiled", None)]
    for kind, make in kinds:
        folder = os.path.join(OUT, kind)
        if args.retrain or not os.path.exists(os.path.join(folder, "tokenizer.json")):
            if make is None:
                precompiled(texts, folder)
            else:
                train(kind, make, texts, folder)
        t = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        singles = [result(e) for e in t.encode_batch(texts)]
        plain = [result(t.encode(x, add_special_tokens=False)) for x in texts[:60]]
        pairs = [[texts[i], texts[i + 1], result(t.encode(texts[i], texts[i + 1]), types=True)]
                 for i in range(0, 80, 2)]
        word_lists = [x.split(" ") for x in texts[60:100]]
        words = [[w, result(t.encode(w, is_pretokenized=True))] for w in word_lists]
        decoded = [[t.decode(e["ids"], skip_special_tokens=True), t.decode(e["ids"], skip_special_tokens=False)]
                   for e in singles]
        with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
            json.dump({"singles": singles, "plain": plain, "pairs": pairs, "words": words, "decoded": decoded}, f,
                      ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        print(kind, t.get_vocab_size(), "tokens")
    exact_keys()
    other_decoders(texts)


if __name__ == "__main__":
    main()
