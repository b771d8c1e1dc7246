"""Clean what pypdf extracts from a PDF, before any span is taken over it (the cleaned text is what the
store keeps, so citations stay exact).

- A combining accent written twice ("x̄x̄" where the page shows x̄): matplotlib's ToUnicode map gives every
  glyph of a shaped cluster the whole cluster's text (the x glyph and the macron glyph both map to "x̄"), and
  pypdf faithfully returns both. The repeat is dropped. Mathtext draws the accent first (" ̄x"); the mark is
  moved behind its letter.
- Compatibility characters (the ﬁ/ﬂ ligatures, math italic 𝑥, no-break spaces) become plain text (NFKC),
  except superscripts, subscripts and fractions: NFKC would make "σ²" read "σ2".
- A word hyphenated at a line end ("nega-\\ntive") is joined ("negative"). The hyphen stays when the document
  writes the compound with a hyphen elsewhere ("self-attention" mid-line), and the joined word nowhere: a
  line-end hyphen is mostly the typesetter's, and the document's own spelling is the simplest evidence of
  one that is the word's. It stays too in a compound hyphenated before the break ("state-of-the-\\nart") and
  where TeX would not break (fewer than 2 letters before or 3 after: "k-means", "Q-learning"). The rest of the
  next line stays on its own line (page titles are found by line).
"""

from __future__ import annotations

import re
import unicodedata

from core.text import COMBINING_MARKS

_MARKS = COMBINING_MARKS
_REPEATED_CLUSTER = re.compile(rf"(\w[{_MARKS}]+)\1+")
_MARK_BEFORE_LETTER = re.compile(rf"(?<!\w)([{_MARKS}]+)(\w)")
_KEPT_COMPAT = ("<super>", "<sub>", "<fraction>")
# from the start of a word (a match tried inside a long word would make the search quadratic), which may be an
# already hyphenated compound: "state-of-the-\nart"
_LINE_END_HYPHEN = re.compile(r"(?<![\w-])((?:\w+-)*\w+)-\n(\w+)([^\s]*)([ \t]+|(?=\n)|$)")
_HYPHENATED = re.compile(r"\b(\w+-\w+)\b")


def _compat(char: str) -> str:
    if char.isascii() or unicodedata.decomposition(char).startswith(_KEPT_COMPAT):
        return char
    if "\u2100" <= char <= "\u214f":  # letterlike symbols mean something of their own: ℓ1, ℝ, ℕ, ℒ
        return char
    return unicodedata.normalize("NFKC", char)


def normalize(text: str) -> str:
    """One extracted text with its doubled accents, misplaced accents and compatibility characters fixed."""
    text = _REPEATED_CLUSTER.sub(r"\1", text)
    text = _MARK_BEFORE_LETTER.sub(r"\2\1", text)
    return unicodedata.normalize("NFC", "".join(_compat(c) for c in text))


def join_hyphenated(texts: list[str]) -> list[str]:
    """Each text with its line-end hyphenations joined; the evidence for keeping a hyphen is all `texts`."""
    words: set[str] = set()
    compounds: set[str] = set()
    for text in texts:
        words.update(w.lower() for w in re.findall(r"\w+", text))
        compounds.update(c.lower() for c in _HYPHENATED.findall(text))

    def join(match: re.Match[str]) -> str:
        head, tail, rest, space = match.groups()
        if not (head[-1].isalpha() and tail[0].islower()):
            return match.group(0)
        last = head.rsplit("-", 1)[-1]
        # a compound's hyphen ("state-of-the-art"), and a break TeX would not make (2 letters before, 3 after:
        # "k-means", "Q-learning", "x-axis") belong to the word; otherwise the document's own spelling decides
        compound = "-" in head or len(last) < 2 or len(tail) < 3
        keep = compound or (f"{last}-{tail}".lower() in compounds and f"{last}{tail}".lower() not in words)
        return f"{head}{'-' if keep else ''}{tail}{rest}" + ("\n" if space else "")

    return [_LINE_END_HYPHEN.sub(join, text) for text in texts]


def clean_pages(texts: list[str]) -> list[str]:
    """The pages' extracted texts, normalized and with hyphenated line breaks joined."""
    return join_hyphenated([normalize(text) for text in texts])


# a path (a backslash, a leading / or ~, a drive letter: not "TCP/IP"), a file name, or an exporter's placeholder
_FILE_LIKE = re.compile(
    r"\\|^[/~]|^[a-z]:|\.(?:pdf|docx?|pptx?|xlsx?|odt|odp|rtf|tex|dvi|ps|eps|txt|md|key|pages)$"
    r"|^untitled\b|^(?:title|document|unknown|none|slides?|presentation|powerpoint presentation|book)\s*\d*$",
    re.IGNORECASE,
)
_EXPORTER = re.compile(r"^microsoft (?:word|powerpoint|excel) - ", re.IGNORECASE)  # "Microsoft Word - Lecture 3"


def metadata_title(reader: object) -> str | None:
    """The PDF's /Title when it names the document; None when absent, blank, "Untitled" or a file name/path
    (what many exporters write: "C:\\Users\\me\\notes.docx", "lecture3.pdf")."""
    try:
        raw = reader.metadata.title if reader.metadata else None  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - broken metadata only means the file name names the document
        return None
    title = _EXPORTER.sub("", " ".join(normalize(str(raw or "")).split()))
    if not title or not any(c.isalpha() for c in title) or _FILE_LIKE.search(title):
        return None
    return title
