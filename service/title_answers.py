"""The two questions a title answers: who wrote it and when, and what a note covers.

Titles are context, never an answer (service.extractive). That leaves "who wrote CenterMask?" with nothing to quote
but the sentences under "CenterMask (Lee and Park 2020)", and "which kinds of autodiff does the write-up go
through?" with nothing but its introduction, while the note's table of contents lists them. For these two kinds of
question, and only for them, the title that answers is a candidate.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from core.terms import key_stems
from retrieval.retriever import Hit

# "who wrote ...", "when did X come out", "what year was X published", "who's behind the swin paper"
ASKS_SOURCE = re.compile(
    r"\b(?:who|whose|authors?|wrote|written|publish\w*|c[ao]me out|(?:what|which) year|released|proposed|"
    r"introduced|invented)\b",
    re.I,
)
# an author-year citation closing a name: "(Lee and Park 2020)", "(Cheng, Schwing, and Kirillov 2021)",
# "(Liu et al. 2021)"; the name is up to 4 words before it, not past another citation or a sentence's end
AUTHORS = r"[A-Z][\w'-]+(?:,? (?:and |& )?[A-Z][\w'-]+)*(?: et al\.?)?"
CITATION = re.compile(rf"(?:[^\s()]+ ){{0,3}}[^\s()]+ \({AUTHORS},? (?:19|20)\d\d[a-z]?\)")
# "which kinds of autodiff does the write-up go through?", "what topics are in the optimisation notes?": a verb of
# covering and the note itself
COVERS = re.compile(
    r"\b(?:cover(?:s|ed)?|contents?|topics?|sections?|parts?|go(?:es)? through|walks? through|gets? into|"
    r"deals? with|talks? about|discuss(?:es)?|outline)\b",
    re.I,
)
NOTE = re.compile(r"\b(?:notes?|post|write-?up|article|page|intro|introduction|overview|chapter|tutorial|blog)\b", re.I)
# a table of contents as blog exports and documents write it, run into one line ("Table of Contents Introduction ...")
CONTENTS = re.compile(r"(?:Table of )?Contents:?\s+", re.I)
CONTENTS_WORDS = 40  # a contents line runs on into the note's first heading and sentence: its head is quoted


def asks_source(question: str) -> bool:
    """Whether the question asks who wrote something or when it appeared."""
    return ASKS_SOURCE.search(question) is not None


def asks_contents(question: str) -> bool:
    """Whether the question asks what a note covers."""
    return COVERS.search(question) is not None and NOTE.search(question) is not None


def title_answers(question: str, hit: Hit, asked: set[str]) -> list[tuple[int, int]]:
    """[start, end) in `hit.text` of the titles that answer `question`: a name with its author-year citation that
    names one of the question's key stems `asked` (`cited_names`), or, for a question about what the note covers,
    its table of contents."""
    spans = cited_names(hit, asked) if asks_source(question) else []
    if not asks_contents(question):
        return spans
    for start, end in hit.context_spans:
        s, e = max(start - hit.start, 0), min(end - hit.start, len(hit.text))
        if m := CONTENTS.match(hit.text, s, e):
            words = list(re.finditer(r"\S+", hit.text[m.end() : e]))[:CONTENTS_WORDS]
            if words:
                spans.append((m.end(), m.end() + words[-1].end()))
    return spans


def cited_names(hit: Hit, asked: set[str]) -> list[tuple[int, int]]:
    """[start, end) in `hit.text` of each name with its author-year citation in the hit's titles whose name holds
    one of `asked` (a table of contents cites every paper of the note; one is asked)."""
    spans: list[tuple[int, int]] = []
    for start, end in hit.context_spans:
        s, e = max(start - hit.start, 0), min(end - hit.start, len(hit.text))
        for m in CITATION.finditer(hit.text[s:e]):
            if key_stems(m.group().split(" (")[0]) & asked:  # the name, not the authors or the year
                spans.append((s + m.start(), s + m.end()))
    return spans


def cites_asked(question: str, hits: Sequence[Hit]) -> bool:
    """Whether the question asks who wrote something or when, and a title among `hits` cites it: the notes
    name its authors, however little else they say (the cosine of "who wrote CenterMask?" with a contents
    line of paper names is weak, and "wrote" is a word no note uses)."""
    return asks_source(question) and any(cited_names(h, key_stems(question)) for h in hits if h.kind == "note")
