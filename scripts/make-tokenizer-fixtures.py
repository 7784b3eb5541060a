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
  KIND/expected.json    "singles": every corpus text; "plain": the first 60 without special tokens; "pairs": 40 pairs
                        of consecutive texts (with type ids); "words": 40 texts split on " " as pre-split words. Each
                        has ids, tokens, offsets (Python str indexes as start * 10000 + end, null for the
                        post-processor's special tokens) and word ids.

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
    for kind, make in [("wordpiece", wordpiece), ("bytebpe", bytebpe), ("unigram", unigram), ("mixed", mixed)]:
        folder = os.path.join(OUT, kind)
        if args.retrain or not os.path.exists(os.path.join(folder, "tokenizer.json")):
            train(kind, make, texts, folder)
        t = Tokenizer.from_file(os.path.join(folder, "tokenizer.json"))
        singles = [result(e) for e in t.encode_batch(texts)]
        plain = [result(t.encode(x, add_special_tokens=False)) for x in texts[:60]]
        pairs = [[texts[i], texts[i + 1], result(t.encode(texts[i], texts[i + 1]), types=True)]
                 for i in range(0, 80, 2)]
        word_lists = [x.split(" ") for x in texts[60:100]]
        words = [[w, result(t.encode(w, is_pretokenized=True))] for w in word_lists]
        with open(os.path.join(folder, "expected.json"), "w", encoding="utf-8") as f:
            json.dump({"singles": singles, "plain": plain, "pairs": pairs, "words": words}, f,
                      ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        print(kind, t.get_vocab_size(), "tokens")


if __name__ == "__main__":
    main()
