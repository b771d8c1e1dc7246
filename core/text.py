"""Text rules every package shares: sentences, [n] citation markers, words and stopwords.

One home for each, so the answer writer, attribution, eval and fine-tuning split and count the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Sequence

import regex

# a sentence ends at . ! or ? (and any closing quote or bracket) before a capital, digit or quote, or at a
# line break: "e.g. a value" stays one sentence, and so does "Ren et al. 2015" (not after an abbreviation)
NOT_AFTER_ABBREVIATION = r"(?<!\bet al)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bcf)(?<!\bFig)(?<!\bEq)"
SENTENCE_END = re.compile(
    NOT_AFTER_ABBREVIATION + r"[.!?][\"')\]”’]*(?=\s+[A-Z0-9\"'(\[])|[。！？][」』）]*|\n"
)  # Chinese and Japanese end a sentence at 。！？ with no space after it
# a line break inside a paragraph of hard-wrapped prose (Markdown, reST or plain text wrapped at 80 columns)
# goes on with its sentence: after a line that ends without . ! ? : and before one that goes on in lower case
# (or with markup: `code`, :role:, *emphasis*, but not a "* " bullet)
WRAPPED_BREAK = re.compile(r"(?<=[^\s.!?:])[ \t]*\n[ \t]*(?=[a-z(`:]|\*\S)")
# looser, for the sentence windows (ingest.sentence_vectors): every line break inside a paragraph, that is
# not before a list item, heading, quote, table row, code fence, digit or blank line. A window spans sentences
# anyway; with WRAPPED_BREAK instead, the windows lost one pytutorial dev question from the top 5
PARAGRAPH_BREAK = re.compile(r"(?<=\S)[ \t]*\n[ \t]*(?=[^\s\-*+#>|`0-9])")
# where a passage may end: after . ! ? before any whitespace, or at a line break. Looser than SENTENCE_END
# on purpose: notes put one statement per line far more often than they punctuate, and a passage boundary
# after "e.g." costs nothing, while an answer sentence cut there would be cited in halves
STATEMENT_END = re.compile(r"[.!?][\"')\]”’]*(?=\s)|[。！？][」』）]*|\n")
MARKER = re.compile(r"\s*\[(\d{1,3})\]")
TRAILING_MARKERS = re.compile(r"([.!?])((?:\s*\[\d{1,3}\])+)")
# Words of any script, one rule for BM25 (ingest.bm25) and key terms. Chinese and Japanese put no space between
# words (Korean spaces phrases, not words), nor do Thai, Lao, Khmer and Myanmar: a run of these letters is read
# as its overlapping bigrams (`cjk_grams`), so a word inside the run is found. Script extensions, so the
# long-vowel mark ー and half-width kana belong to the run; letters and their marks only, not 。 or ฯ
CJK_LETTER = (
    r"[[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}"
    r"\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]&&\w]"
)
CJK_RUN = regex.compile(rf"(?V1){CJK_LETTER}+")
# a bigram is of user-perceived characters: a Thai vowel or tone mark stays on its consonant (ที่, not ท + ี่)
_MARK = regex.compile(r"\p{M}")
_GRAPHEME = regex.compile(r"\X")
# Japanese writes its particles and verb endings in hiragana ("抹茶とは何ですか"): a bigram with one names no topic,
# so the abstain rule and key terms skip it (BM25 keeps it). Topic words are kanji and katakana.
HIRAGANA = regex.compile(r"\p{Hiragana}")
# Chinese grammar written in hanzi ("什么是抹茶？"): the copula, sentence particles, question words and pronouns,
# characters that almost never make a topic word; a bigram holding one names no topic, as one holding hiragana.
# A closed list on purpose: 有 在 和 对 不 are grammar too, but also make topic words (有效 effective, 存在 exist,
# 总和 sum, 对数 logarithm, 不变 invariant), and a question whose every word is dropped has no key term at all
ZH_GRAMMAR = regex.compile(r"[的了吗呢吧啊呀嘛么什哪谁怎是们这那]")
# Chinese and Japanese bigrams that frame a question without naming its topic, as QUESTION_WORDS in English
CJK_QUESTION_WORDS = frozenset(
    ["如何", "为何", "何时", "任何", "可以", "能否", "请问", "关于", "对于", "以及", "或者", "因为", "所以", "如果"]
    + ["一个", "一下", "一些", "一种", "没有", "有没", "意思", "含义", "解释", "介绍", "区别", "说明", "之间", "作用"]
    + ["多少", "哪些", "説明", "意味"]
)
# Korean spaces its words and joins particles and the copula to a noun ("김치는", "김치를", "음식입니다"): a Hangul
# word's topic is the word without them (`korean_stem`). Longest first; stripped again and again ("에서는")
KOREAN_ENDINGS = (
    ("입니까", "입니다", "습니까", "습니다", "인가요", "이에요", "이란", "이다", "예요", "나요", "가요", "까요")
    + ("에서", "에게", "한테", "으로", "까지", "부터", "보다", "처럼", "이나", "이랑", "란", "은", "는", "을", "를")
    + ("이", "가", "도", "만", "과", "와", "로", "의", "에", "나")
)
# particles that also end nouns (나이 age, 평가 evaluation, 온도 temperature, 결과 result, 경로 path, 정의 definition):
# stripped only where two syllables are left, so those nouns read whole with or without a particle after them
KOREAN_AMBIGUOUS_ENDINGS = frozenset(["이", "가", "도", "만", "과", "와", "로", "의", "에", "나"])
# Korean words (particles stripped) that frame a question: what, how, why, explain, meaning, difference, is/does
KOREAN_QUESTION_WORDS = frozenset(
    ["무엇", "뭐", "뭔", "뭘", "무슨", "어떻게", "어떤", "왜", "언제", "어디", "누구", "얼마", "몇", "방법"]
    + ["설명", "설명해", "의미", "뜻", "차이", "차이점", "대해", "대해서", "대한", "관해", "관한"]
    + ["알려", "알려줘", "알려주세요", "주세요", "해주세요", "하", "있", "되", "것", "거", "수"]
    + ["합니까", "하는", "하다", "있다", "있는"]
)
HANGUL_WORD = regex.compile(r"\p{Hangul}+")
# a run in these scripts has characters that are words or syllables; in Thai, Lao, Khmer, Myanmar, letters
_CJK_SCRIPT = regex.compile(r"[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]")
# Thai writes its question words into the run ("ชาไทยคืออะไร": Thai tea + is + what), with no character of their
# own to tell them by: what, how, why, when, where, whether, is, explain, means, meaning, differ. Words that
# occur inside topic words (ที่ "that" in พื้นที่ "area", เป็น "be" in จำเป็น "necessary") are left out
THAI_QUESTION_WORDS = regex.compile("อย่างไร|ยังไง|อะไร|ทำไม|เมื่อไร|ที่ไหน|หรือไม่|คือ|อธิบาย|หมายถึง|ความหมาย|แตกต่าง")
# letters and digits of any script with their combining marks, no underscore ("as_strided" is two words)
WORD = regex.compile(rf"(?V1)(?P<cjk>{CJK_LETTER}+)|[\w--_--{CJK_LETTER}]+")
# WORD on ASCII text, where it is exactly this (the retrieval was tuned on these words): 4x faster
ASCII_WORD = re.compile(r"[a-z0-9]+")
# accents of Latin, Greek and Cyrillic letters, as NFKD spells them apart: "naïve" is found by "naive". Not
# the marks of other scripts (Indic vowel signs, the kana voicing marks): there they make another word
COMBINING_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"  # for a [] class
_DIACRITICS = re.compile(f"[{COMBINING_MARKS}]+")

# a flashcard's labels, "Q: What is X?" over "A: X is ...": no part of its question or answer (ingest finds cards
# by them, the quiz strips them). Use with .match: "A. " needs its space, "A.I." is a word
CARD_FRONT = re.compile(r"(?:Q|Question)\s*[:.]\s+(?=\S)")
CARD_BACK = re.compile(r"(?:A|Answer)\s*(?::\s*|\.\s+)(?=\S)")

# an image embed ("![plot](fig.png)", Obsidian's "![[fig.png]]") shows a picture an answer or a card cannot
IMAGE = re.compile(r"!\[\[[^\]\n]*\]\]|!\[[^\]\n]*\]\([^)\n]*\)")

# function words: BM25 and title detection ignore them
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "can",
        "do",
        "does",
        "did",
        "for",
        "from",
        "has",
        "have",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "so",
        "that",
        "the",
        "their",
        "then",
        "there",
        "these",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "who",
        "why",
        "will",
        "with",
        "you",
        "your",
    ]
)
# words that frame a question without naming its topic ("explain what the notes say about ...")
QUESTION_WORDS = frozenset(
    [
        "about",
        "also",
        "any",
        "back",
        "between",
        "could",
        "define",
        "describe",
        "difference",
        "each",
        "explain",
        "give",
        "kind",
        "mean",
        "means",
        "name",
        "notes",
        "our",
        "say",
        "should",
        "tell",
        "than",
        "them",
        "they",
        "those",
        "use",
        "used",
        "using",
        "way",
        "ways",
        "work",
        "works",
        "would",
        "my",
        "me",
        "myself",
        "mine",
        "show",
        "code",
        "coding",
        "whether",
        "main",
        "versus",
        "actually",
        "really",
        "like",
        "good",
        "best",
        "thing",
        "things",
        "something",
        "get",
        "gets",
    ]
)
SUFFIXES = ("ational", "ation", "ness", "ment", "ings", "ing", "ies", "ied", "ers", "er", "es", "ed", "ly", "s")


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence or line of `text`, trimmed of surrounding whitespace.

    >>> sentence_spans("One. Two!\\nThree")
    [(0, 4), (5, 9), (10, 15)]
    >>> sentence_spans("As in Ren et al. 2015, vs. RNNs. Done")
    [(0, 32), (33, 37)]
    >>> sentence_spans("抹茶は粉末の緑茶です。茶筅で点てます。")
    [(0, 11), (11, 19)]
    """
    spans, at = [], 0
    for end in [m.end() for m in SENTENCE_END.finditer(text)] + [len(text)]:
        piece = text[at:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            spans.append((at + lead, at + len(piece.rstrip())))
        at = end
    return spans


def unwrapped(text: str, *, paragraphs: bool = False) -> str:
    """`text` with each line break that only wraps a sentence (`WRAPPED_BREAK`; `PARAGRAPH_BREAK` with
    `paragraphs`) made a space. The length is unchanged, so spans found in it are spans of `text`.

    >>> sentence_spans(unwrapped("The default is evaluated\\nonly once.\\nLists are shared"))
    [(0, 35), (36, 52)]
    """
    return (PARAGRAPH_BREAK if paragraphs else WRAPPED_BREAK).sub(lambda m: m.group(0).replace("\n", " "), text)


def split_sentences(text: str) -> list[tuple[str, str]]:
    """(sentence, the whitespace after it) of an answer: joined back they give the text, line breaks and all.

    Markers written after the full stop are moved before it first ("fact. [1]" -> "fact [1]."), so they
    stay with the sentence they close.

    >>> split_sentences("A is B. [1] C\\n\\nD [2].")
    [('A is B [1].', ' '), ('C', '\\n\\n'), ('D [2].', '')]
    """
    text = TRAILING_MARKERS.sub(r"\2\1", text.strip())
    spans = sentence_spans(text)
    return [(text[s:e], text[e : spans[i + 1][0]] if i + 1 < len(spans) else "") for i, (s, e) in enumerate(spans)]


def strip_markers(sentence: str) -> tuple[str, list[int]]:
    """The sentence without its [n] markers, and the markers in order of appearance."""
    return MARKER.sub("", sentence).strip(), cited_numbers(sentence)


def cited_numbers(text: str) -> list[int]:
    """The [n] markers of a text, in order of appearance."""
    return [int(n) for n in MARKER.findall(text)]


def with_markers(text: str, numbers: Sequence[int]) -> str:
    """Put [n] markers before the sentence's final punctuation: "W stays frozen [1]." """
    if not numbers:
        return text
    marks = "".join(f" [{n}]" for n in numbers)
    if text and text[-1] in ".!?":
        return text[:-1] + marks + text[-1]
    return text + marks


def plain(text: str) -> str:
    """`text` with compatibility forms made plain ("ﬁ", "²", full-width "ＧＰＵ", half-width kana) and Latin,
    Greek and Cyrillic accents dropped; case kept. ASCII text is returned as it is.

    >>> plain("Crème brûlée, x², ＧＰＵ")
    'Creme brulee, x2, GPU'
    """
    if text.isascii():
        return text
    return unicodedata.normalize("NFC", _DIACRITICS.sub("", unicodedata.normalize("NFKD", text)))


def fold(text: str) -> str:
    """`plain` and casefolded: the form a word is indexed and looked up in (ASCII: just lowercased)."""
    return text.lower() if text.isascii() else plain(text).casefold()


def cjk_grams(run: str) -> list[str]:
    """A run of CJK (or Thai, Lao, Khmer, Myanmar) letters as its overlapping bigrams of characters as a reader
    sees them (a vowel or tone mark stays on its letter); a one-character run is its own word.

    >>> cjk_grams("抹茶です"), cjk_grams("茶"), cjk_grams("ชาเขียว")
    (['抹茶', '茶で', 'です'], ['茶'], ['ชา', 'าเ', 'เขี', 'ขีย', 'ยว'])
    """
    units: Sequence[str] = _GRAPHEME.findall(run) if _MARK.search(run) else run
    return [run] if len(units) == 1 else ["".join(units[i : i + 2]) for i in range(len(units) - 1)]


def korean_stem(word: str) -> str:
    """A Hangul word without the particles and copula joined to it (`KOREAN_ENDINGS`).

    >>> [korean_stem(w) for w in ["김치는", "김치를", "음식입니다", "무엇입니까", "학교에서는", "평가", "고양이가"]]
    ['김치', '김치', '음식', '무엇', '학교', '평가', '고양']
    """
    while True:
        for ending in KOREAN_ENDINGS:
            left = len(word) - len(ending)
            if word.endswith(ending) and left >= (2 if ending in KOREAN_AMBIGUOUS_ENDINGS else 1):
                word = word[:left]
                break
        else:
            return word


def _units(run: str) -> list[str]:
    """The characters of a run as a reader sees them (`cjk_grams`)."""
    return _GRAPHEME.findall(run) if _MARK.search(run) else list(run)


def _grammar(run: str, units: Sequence[str]) -> list[bool]:
    """For each of a run's `units`: whether it is grammar (`HIRAGANA`, `ZH_GRAMMAR`, in `THAI_QUESTION_WORDS`)."""
    spans = [m.span() for m in THAI_QUESTION_WORDS.finditer(run)]
    grammar, at = [], 0
    for unit in units:
        end = at + len(unit)
        grammar.append(
            bool(HIRAGANA.search(unit) or ZH_GRAMMAR.search(unit)) or any(s <= at and end <= e for s, e in spans)
        )
        at = end
    return grammar


def topic_grams(run: str) -> list[str]:
    """The bigrams of a run (`cjk_grams`) that may name a topic: of a Korean word, its stem's (`korean_stem`);
    none holding grammar (`_grammar`: Japanese kana, Chinese function characters, Thai question words) or
    framing a question (`CJK_QUESTION_WORDS`).

    >>> topic_grams("什么是抹茶"), topic_grams("抹茶とは何ですか"), topic_grams("김치는"), topic_grams("무엇입니까")
    (['抹茶'], ['抹茶'], ['김치'], [])
    >>> topic_grams("ชาไทยคืออะไร")
    ['ชา', 'าไ', 'ไท', 'ทย']
    """
    if HANGUL_WORD.fullmatch(run):
        stem = korean_stem(run)
        return [] if stem in KOREAN_QUESTION_WORDS else cjk_grams(stem)
    units = _units(run)
    grammar = _grammar(run, units)
    if len(units) == 1:
        return [] if grammar[0] else [run]
    grams = [(units[i] + units[i + 1], grammar[i] or grammar[i + 1]) for i in range(len(units) - 1)]
    return [g for g, in_grammar in grams if not in_grammar and g not in CJK_QUESTION_WORDS]


# curly quotes, dashes, ellipses (U+2000-206F) that separate words as a space does: English from Word, Notion or
# Google Docs is ASCII but for them, and the ASCII path is 8x faster
PUNCTUATION_AS_SPACE = {c: " " for c in range(0x2000, 0x2070) if not WORD.search(fold(chr(c)))}


def words(text: str) -> list[str]:
    """Folded words of any script (`fold`), CJK runs as bigrams (`cjk_grams`).

    >>> words("Naïve crème_brûlée: 抹茶は粉末の緑茶")
    ['naive', 'creme', 'brulee', '抹茶', '茶は', 'は粉', '粉末', '末の', 'の緑', '緑茶']
    """
    if text.isascii() or (text := text.translate(PUNCTUATION_AS_SPACE)).isascii():
        return ASCII_WORD.findall(text.lower())
    out: list[str] = []
    for match in WORD.finditer(fold(text)):
        out.extend(cjk_grams(match.group()) if match.lastgroup == "cjk" else [match.group()])
    return out


def run_terms(run: str, known: Container[str]) -> list[str]:
    """A CJK run's topic words read against a vocabulary (the notes' words): its `topic_grams` that `known`
    holds, and each stretch of two or more characters that neither those bigrams nor grammar account for, as
    one word. A bigram that only joins two known words ("茶和" in "抹茶和煎茶") or a word and grammar is none.

    >>> run_terms("抹茶和煎茶有什么区别", {"抹茶", "煎茶"}), run_terms("什么是乌龙茶", {"抹茶"}), run_terms("猫", set())
    (['抹茶', '煎茶'], ['乌龙茶'], ['猫'])
    """
    if HANGUL_WORD.fullmatch(run):
        run = korean_stem(run)
        if run in KOREAN_QUESTION_WORDS:
            return []
    units = _units(run)
    if len(units) == 1:
        return topic_grams(run)
    covered = _grammar(run, units)
    if not _CJK_SCRIPT.search(run):
        return _alphabetic_run_terms(units, covered, known)
    for i in range(len(units) - 1):
        if (gram := units[i] + units[i + 1]) in known or gram in CJK_QUESTION_WORDS:
            covered[i] = covered[i + 1] = True
    stretches = "".join(" " if c else u for u, c in zip(units, covered, strict=True)).split()
    return [g for g in topic_grams(run) if g in known] + [s for s in stretches if len(_GRAPHEME.findall(s)) > 1]


def _alphabetic_run_terms(units: Sequence[str], grammar: Sequence[bool], known: Container[str]) -> list[str]:
    """`run_terms` of a Thai, Lao, Khmer or Myanmar run, whose characters are letters: one bigram of letters
    the notes hold says little ("าแ" joins two words in many notes), so each piece between grammar words is
    words the notes hold (their bigrams) when they hold most of its bigrams (a bigram joining two words is new),
    else one word they lack. Chosen on hand-made examples: there is no Thai dev set.

    >>> _alphabetic_run_terms(_units("กาแฟคือ"), [False] * 4 + [True] * 2, {"าแ"})
    ['กาแฟ']
    """
    pieces = "".join(" " if g else u for u, g in zip(units, grammar, strict=True)).split()
    terms: list[str] = []
    for piece in pieces:
        grams = cjk_grams(piece)
        if len(grams) == 1 and grams[0] == piece and len(_units(piece)) == 1:
            continue  # one letter is no word
        held = [g for g in grams if g in known]
        terms.extend(held if 2 * len(held) > len(grams) else [piece])
    return terms


def content_words(text: str, known: Container[str] | None = None) -> list[str]:
    """Words that name a topic: no function words, no question framing, no single characters (a single CJK
    character is a word); of a CJK run, its `topic_grams` (no Japanese, Chinese or Korean grammar), or with
    the notes' vocabulary `known`, its `run_terms`.

    >>> content_words("抹茶とは何ですか? What is matcha? 什么是抹茶？ 김치는 무엇입니까?")
    ['抹茶', 'matcha', '抹茶', '김치']
    """
    if text.isascii() or (text := text.translate(PUNCTUATION_AS_SPACE)).isascii():
        return [w for w in ASCII_WORD.findall(text.lower()) if _names_topic(w)]
    out: list[str] = []
    for match in WORD.finditer(fold(text)):
        if match.lastgroup != "cjk":
            out.extend([match.group()] if _names_topic(match.group()) else [])
        else:
            out.extend(topic_grams(match.group()) if known is None else run_terms(match.group(), known))
    return out


def _names_topic(word: str) -> bool:
    """A word of a spaced script that is no function word, no question framing and not a single character."""
    return word not in STOPWORDS and word not in QUESTION_WORDS and len(word) > 1


def stem(word: str) -> str:
    """A light suffix-stripping stem, so "queries" meets "query" and "normalization" meets "normalize".

    >>> [stem(w) for w in ["queries", "query", "normalization", "normalize", "experts", "passing"]]
    ['query', 'query', 'normaliz', 'normaliz', 'expert', 'pass']

    English suffixes only: a word of another script (`words` folds accents first) passes through.

    >>> [stem(w) for w in words("naïve Zürich образование 抹茶")]
    ['naiv', 'zurich', 'образование', '抹茶']
    """
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            base = word[: -len(suffix)]
            return base + "y" if suffix in ("ies", "ied") else base
    return word[:-1] if word.endswith("e") and len(word) > 4 else word
