"""Text rules every package shares: sentences, [n] citation markers, words and stopwords.

One home for each, so the answer writer, attribution, eval and fine-tuning split and count the same way.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Container, Sequence

import regex

from core.cjk import CJK_LETTER, cjk_grams, run_terms, topic_grams

# the quote marks and brackets that may close a sentence after its stop: 'He said "stop."' ends at the stop
CLOSING_MARKS = "\"')]”’"
# a sentence ends at . ! or ? (and any closing quote or bracket) before a capital, digit or quote, or at a
# line break: "e.g. a value" stays one sentence, and so does "Ren et al. 2015" (not after an abbreviation)
NOT_AFTER_ABBREVIATION = r"(?<!\bet al)(?<!\be\.g)(?<!\bi\.e)(?<!\bvs)(?<!\bcf)(?<!\bFig)(?<!\bEq)"
# notes typed in lower case ("so net yield is 2 ATP. it does not need oxygen", a lecture transcript) start their
# sentences in lower case too: a full stop ends one before a lower-case word as well, after a word that opens with
# a letter, is two characters or more ("CO2. the") and is no abbreviation a note writes before one ("ie. w",
# "etc. and", "approx. the"), or after a bracket that closes one ("(3 carbons each). ten"); one letter, or a dotted
# one, is an initial or an abbreviation ("w.r.t. the", "e.g. a", "J. smith"), a number an item ("step 3. then")
_LOWER_CASE_ABBREVIATIONS = (
    "ie eg etc al vs cf viz fig figs eq eqs no nos nr vol ch sec ref refs pp ed eds approx ca resp incl esp "
    "min max avg dr mr mrs ms prof st jr sr dept est"
)
# re's lookbehinds are fixed-width: one per word
_NOT_AN_ABBREVIATION = "".join(rf"(?<!\b(?i:{word}))" for word in _LOWER_CASE_ABBREVIATIONS.split())
LOWER_CASE_END = rf"(?:(?<=[^\W\d_]\w){_NOT_AN_ABBREVIATION}|(?<=\w[)\]]))\.(?=[ \t]+[a-z])"
SENTENCE_END = re.compile(
    NOT_AFTER_ABBREVIATION
    + rf"[.!?][{re.escape(CLOSING_MARKS)}]*(?=\s+[A-Z0-9\"'(\[])|{LOWER_CASE_END}|[。！？][」』）]*|\n"
)  # Chinese and Japanese end a sentence at 。！？ with no space after it
# a line break inside a paragraph of hard-wrapped prose (Markdown, reST or plain text wrapped at 80 columns)
# goes on with its sentence: after a line that ends without . ! ? : and before one that goes on in lower case
# (or with markup: `code`, :role:, *emphasis*, not a "* " bullet; LaTeX's $x$, \(x\), \emph{x}, not "$ " nor "$$")
WRAPPED_BREAK = re.compile(r"(?<=[^\s.!?:])[ \t]*\n[ \t]*(?=[a-z(`:]|\*\S|\$[^\s$]|\\(?:\(|emph|text(?:bf|it|tt)))")
# words a sentence cannot end on, in lower case: a line of hard-wrapped prose that ends on one goes on with the next
# line even when it starts with a name or a number ("to Catherine of\nAragon.", "founded by\nIgnatius", "in the range
# 0 to\n0x10FFFF"; not a "2. " item), and one that ends on
# a comma with the next name or number ("Luther,\nCalvin", "such as 500, 502,\n503, and 504"; not a "2. " item
# nor a line that opens with its own label: "Allies: France, Russia,\nCentral Powers: Germany")
_LEADS_ON = "a an the of to for from with by into onto via at and or nor but than as his its their our your my whose"
LEADS_ON_WORDS = frozenset(_LEADS_ON.split())
WRAPPED_BEFORE_NAME = re.compile(
    rf"(?:(?<![^\s(])(?:{'|'.join(sorted(LEADS_ON_WORDS))})[ \t]*\n[ \t]*(?=[A-Z0-9\"'\u201c\u2018])(?!\d+[.)][ \t])"
    r"|(?<=\w),[ \t]*\n[ \t]*(?=[A-Z0-9\"'\u201c\u2018])(?!\d+[.)][ \t])(?![A-Z][\w -]{0,40}:\s))"
)
# looser, for the sentence windows (ingest.sentence_vectors): every line break inside a paragraph, that is
# not before a list item, heading, quote, table row, code fence, digit or blank line. A window spans sentences
# anyway; with WRAPPED_BREAK instead, the windows lost one pytutorial dev question from the top 5
PARAGRAPH_BREAK = re.compile(r"(?<=\S)[ \t]*\n[ \t]*(?=[^\s\-*+#>|`0-9])")
# the stops a piece of text may end with on its own (a sentence, a clause, a "label:"): what follows it is
# joined with a space, while a piece without one gets a separator ("; ") so two pieces do not run together
CLAUSE_END = (".", ";", ":", ",", "!", "?")
# where a passage may end: after . ! ? before any whitespace, or at a line break. Looser than SENTENCE_END
# on purpose: notes put one statement per line far more often than they punctuate, and a passage boundary
# after "e.g." costs nothing, while an answer sentence cut there would be cited in halves
STATEMENT_END = re.compile(rf"[.!?][{re.escape(CLOSING_MARKS)}]*(?=\s)|[。！？][」』）]*|\n")
MARKER = re.compile(r"\s*\[(\d{1,3})\]")
TRAILING_MARKERS = re.compile(r"([.!?])((?:\s*\[\d{1,3}\])+)")
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
# the words that ask: a question's shape (core.subject), a heading of one alone ("## Why") names no topic
WH_WORDS = frozenset(["what", "why", "how", "when", "where", "which", "who"])
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
        "anything",
        "someone",
        "somebody",
        "anyone",
        "anybody",
        "everyone",
        "everybody",
        "go",
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
    """`text` with each line break that only wraps a sentence (`WRAPPED_BREAK`, `WRAPPED_BEFORE_NAME`;
    `PARAGRAPH_BREAK` with `paragraphs`) made a space. The length is unchanged, so spans found in it are spans
    of `text`.

    >>> sentence_spans(unwrapped("The default is evaluated\\nonly once.\\nLists are shared"))
    [(0, 35), (36, 52)]
    >>> sentence_spans(unwrapped("his marriage to Catherine of\\nAragon. Then\\nHenry"))
    [(0, 36), (37, 41), (42, 47)]
    """
    if paragraphs:
        return PARAGRAPH_BREAK.sub(_as_space, text)
    return WRAPPED_BEFORE_NAME.sub(_as_space, WRAPPED_BREAK.sub(_as_space, text))


def _as_space(line_break: re.Match[str]) -> str:
    return line_break.group(0).replace("\n", " ")


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
