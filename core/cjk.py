"""Words of scripts written without spaces between them (Chinese, Japanese; Thai, Lao, Khmer, Myanmar) and of
Korean, whose words carry their particles: how a run of their letters is cut into bigrams for BM25, and which
of those bigrams name a topic for the abstain rule and key terms (core.text.content_words reads them here).
"""

from __future__ import annotations

from collections.abc import Container, Sequence

import regex

# Words of any script, one rule for BM25 (ingest.bm25) and key terms. Chinese and Japanese put no space between
# words (Korean spaces phrases, not words), nor do Thai, Lao, Khmer and Myanmar: a run of these letters is read
# as its overlapping bigrams (`cjk_grams`), so a word inside the run is found. Script extensions, so the
# long-vowel mark ー and half-width kana belong to the run; letters and their marks only, not 。 or ฯ
CJK_LETTER = (
    r"[[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}"
    r"\p{scx=Thai}\p{scx=Lao}\p{scx=Khmer}\p{scx=Myanmar}]&&\w]"
)
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
_SPACELESS_RUN = regex.compile(rf"(?V1){CJK_LETTER}+")
# a run in these scripts has characters that are words or syllables; in Thai, Lao, Khmer, Myanmar, letters
_CJK_SCRIPT = regex.compile(r"[\p{scx=Han}\p{scx=Hiragana}\p{scx=Katakana}\p{scx=Hangul}]")
# Thai writes its question words into the run ("ชาไทยคืออะไร": Thai tea + is + what), with no character of their
# own to tell them by: what, how, why, when, where, whether, is, explain, means, meaning, differ. Words that
# occur inside topic words (ที่ "that" in พื้นที่ "area", เป็น "be" in จำเป็น "necessary") are left out
THAI_QUESTION_WORDS = regex.compile("อย่างไร|ยังไง|อะไร|ทำไม|เมื่อไร|ที่ไหน|หรือไม่|คือ|อธิบาย|หมายถึง|ความหมาย|แตกต่าง")


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
    in_word = bytearray(len(run))  # the characters inside a Thai question word, marked in one pass (linear)
    for match in THAI_QUESTION_WORDS.finditer(run):
        in_word[match.start() : match.end()] = b"\1" * (match.end() - match.start())
    grammar, at = [], 0
    for unit in units:
        end = at + len(unit)
        grammar.append(bool(HIRAGANA.search(unit) or ZH_GRAMMAR.search(unit)) or all(in_word[at:end]))
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


def reading_length(text: str) -> int:
    """`len(text)`, but each character of a CJK, Hangul, Thai, Lao, Khmer or Myanmar run, as a reader sees it
    (a vowel or tone mark stays on its letter), counts two: one holds about as much as two Latin letters, so a
    length bar set on English ("shorter pieces are stubs") is not one that every Chinese sentence fails. Text
    without such a run is its `len`.

    >>> reading_length("Grinders crush beans."), reading_length("抹茶是一种磨成粉末的绿茶。"), reading_length("ที่")
    (21, 25, 2)
    """
    if text.isascii():
        return len(text)
    runs = [m.group() for m in _SPACELESS_RUN.finditer(text)]
    return len(text) + sum(2 * len(_units(run)) - len(run) for run in runs)
