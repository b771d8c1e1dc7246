"""Blog exports: each article starts with a "Table of Contents <headings...> <body>" line.

The headings are run together with the first sentence of the body, so both the article's title and
where its heading list ends have to be read off the words. The heading list (and a later line's
leading heading, "Setting up cuDNN To use cuDNN ...") is the article's context: it stays in the text,
but it is not a sentence anyone would quote as an answer.
"""

from __future__ import annotations

import re

from core.text import CLOSING_MARKS
from ingest.lines import STOP_WORDS
from ingest.schema import Section
from ingest.sections import Line, Span, trim_span

TOC_PREFIX = "Table of Contents"
# A ToC whose first heading is one of these says nothing about the article, so no repeat-matching.
GENERIC_HEADINGS = frozenset(
    [
        "introduction",
        "resources",
        "papers",
        "overview",
        "background",
        "motivation",
        "summary",
        "abstract",
        "preface",
        "contents",
    ]
)
MAX_TITLE_WORDS = 8
MAX_LINE_HEADING_WORDS = 8
MAX_NAME_WORDS = 3  # a longer capitalized run inside running text is a list of headings, not a name
FUNCTION_WORDS = STOP_WORDS | frozenset(["its", "their", "his", "her", "our", "your", "my"])
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(rf"[.!?][{re.escape(CLOSING_MARKS)}]*$")


def toc_title(words: list[str]) -> str:
    """The article title hidden in "Table of Contents H1 H2 ... H1 <body>".

    These exports list the headings run together and then start the body by repeating the first
    heading, so the first heading is the longest prefix of the ToC that recurs. Without a repeat,
    or when the first heading is generic, fall back to its first few words.
    """
    if not words:
        return ""
    if words[0].lower().strip("?:") in GENERIC_HEADINGS:
        return words[0]
    for j in range(1, len(words)):
        if words[j] != words[0]:
            continue
        m = 1
        while m < j and j + m < len(words) and words[m] == words[j + m]:
            m += 1
        title = words[:m]
        if title[-1].lower() in STOP_WORDS:  # the repeat was a coincidence mid-title
            title = words[:j] if j <= MAX_TITLE_WORDS else title
            while len(title) > 1 and title[-1].lower() in STOP_WORDS:
                title = title[:-1]
        return " ".join(title)
    title: list[str] = []
    for word in words[:3]:
        if title and word[0].islower() and word.lower() not in STOP_WORDS:
            break
        title.append(word)
        if word.endswith("?"):
            break
    return " ".join(title)


def _is_lower_word(word: str) -> bool:
    word = word.rstrip(",;:")
    return word.isalpha() and word.islower()


def _is_prose_word(word: str) -> bool:
    """A lowercase word that carries meaning ("adapts", "notes"), which headings rarely have."""
    return _is_lower_word(word) and word.rstrip(",;:") not in FUNCTION_WORDS


def prose_pair(words: list[str]) -> int:
    """Index of the first pair of lowercase words outside a question heading (len(words): none).

    Headings are capitalized ("Setting up cuDNN", "Types of Differentiation"); prose is not ("is a",
    "notes provide"). "What makes a model deep?" is a heading all the same.
    """
    for p in range(len(words) - 1):
        a, b = words[p], words[p + 1]
        lower = _is_lower_word(a) and _is_lower_word(b) and (_is_prose_word(a) or _is_prose_word(b))
        if lower and not any(w.endswith("?") for w in words[p : p + 5]):
            return p
    return len(words)


def sentence_start(words: list[str], p: int, floor: int = 0) -> int:
    """Where the sentence holding words[p] begins, not before `floor`.

    Walk back over lowercase words; a short capitalized run between meaningful lowercase words is a name
    inside the sentence ("adapts Faster R-CNN to"); otherwise the run is the headings before it, and
    the sentence begins at its last word ("... Traditional Fine-Tuning Fine-tuning a model").
    """
    s = p
    while s > floor:
        if _SENTENCE_END.search(words[s - 1]):
            return s
        if words[s - 1][:1].islower():
            s -= 1
            continue
        r = s - 1  # first word of the capitalized run that ends at s - 1
        while r > floor and not words[r - 1][:1].islower() and not _SENTENCE_END.search(words[r - 1]):
            r -= 1
        if r == floor:
            return floor if floor and s - r < MAX_NAME_WORDS else s - 1
        if _SENTENCE_END.search(words[r - 1]):
            return r
        if s - r <= MAX_NAME_WORDS and _is_prose_word(words[r - 1]):
            s = r
            continue
        return s - 1
    return floor


def toc_body_start(words: list[str]) -> int:
    """Index of the first body word after a ToC's heading list (the words after "Table of Contents").

    The body opens by repeating the first heading: the repeat bounds the headings from below. A repeat
    that is only a mid-title coincidence ("Bag of Visual Words Bag of Words is ...") starts the body.
    """
    p = prose_pair(words)
    floor = 0
    for j in range(1, p):
        if words[j] != words[0]:
            continue
        m = 1
        while m < j and j + m < len(words) and words[m] == words[j + m]:
            m += 1
        if words[m - 1].lower() in STOP_WORDS:
            return j
        floor = min(j + m, p)
        break
    return len(words) if p == len(words) else sentence_start(words, p, floor)


def _contains_run(haystack: list[str], needle: list[str]) -> bool:
    n = len(needle)
    return any(haystack[i : i + n] == needle for i in range(len(haystack) - n + 1))


def line_heading_end(line_words: list[str], headings: list[str]) -> int:
    """How many leading words of a body line are a ToC heading run into its first sentence (0: none)."""
    if _contains_run(headings, line_words) and len(line_words) <= MAX_LINE_HEADING_WORDS:
        return len(line_words)  # the whole line is a heading
    for k in range(min(len(line_words) - 2, MAX_LINE_HEADING_WORDS), 0, -1):
        nxt, after = line_words[k], line_words[k + 1]
        if nxt[:1].isupper() and _is_lower_word(after) and _contains_run(headings, line_words[:k]):
            return k
    return 0


def continued_headings(words: list[str], line_words: list[str]) -> int:
    """How many leading words of the line after a ToC line without body still list headings (0: none).

    The list runs on only until the body repeats the first heading ("... Key Concepts" / "Invariance and
    Equivariance Padding, Stride Introduction Dense networks ..."), so that repeat, on this line and not on the
    ToC line, with a sentence after it, is the only evidence taken: headings may hold lowercase words.
    """
    first = toc_title(words).split()
    m = len(first)
    if not first or _contains_run(words[m:], first):
        return 0
    for j in range(len(line_words) - m):
        if _SENTENCE_END.search(line_words[j]):
            return 0
        if line_words[j : j + m] == first:
            return j + m
    return 0


def _words(text: str, start: int, end: int) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in _WORD.finditer(text, start, end)]


def article_context(text: str, toc: Line, lines: list[Line], end: int) -> tuple[Span, ...]:
    """The ToC line's heading list, and the headings that open later lines of the article."""
    prefix_end = toc.start + text[toc.start : toc.end].index(TOC_PREFIX) + len(TOC_PREFIX)
    first = _words(text, prefix_end, toc.end)
    words = [w for _, _, w in first]
    body = toc_body_start(words)
    spans = [trim_span(text, toc.start, first[body - 1][1] if body > 0 else prefix_end)]
    later = [ln for ln in lines if ln.text and toc.start < ln.start < end]
    more = _words(text, later[0].start, later[0].end) if body == len(words) and later else []
    if k := continued_headings(words, [w for _, _, w in more]):  # the heading list ran on into the next line
        spans.append((more[0][0], more[k - 1][1]))
        words, body, later = words + [w for _, _, w in more], body + k, later[1:]
    headings = words[:body]
    for line in later:
        found = _words(text, line.start, line.end)
        k = line_heading_end([w for _, _, w in found], headings) if headings else 0
        if k:
            spans.append((found[0][0], found[k - 1][1]))
    return tuple(s for s in spans if s[1] > s[0])


def articles(text: str, lines: list[Line], doc_title: str, body_start: int) -> list[Section]:
    """One section per ToC line (running to the next), plus whatever precedes the first as a preamble."""
    toc_lines = [ln for ln in lines if ln.text.startswith(TOC_PREFIX) and ln.start >= body_start]
    sections: list[Section] = []
    bounds = [ln.start for ln in toc_lines] + [len(text)]
    if toc_lines and toc_lines[0].start > body_start:
        start, end = trim_span(text, body_start, toc_lines[0].start)
        if end > start:
            sections.append(Section(doc_title, (doc_title,), start, end))
    for line, end in zip(toc_lines, bounds[1:], strict=True):
        body = text[line.start + len(TOC_PREFIX) : end]
        title = toc_title(body.split()[:600]) or doc_title
        start, stop = trim_span(text, line.start, end)
        context = article_context(text, line, lines, stop)
        sections.append(Section(title, (doc_title, title), start, stop, context=context))
    return sections
