"""Who wrote it and when: notes on papers put that in a title ("CenterMask (Lee and Park 2020)").

Titles are context, never an answer (service.extractive), which leaves "who wrote CenterMask?" with nothing to quote
but the sentences under it. A title's author-year citation is the answer to that question, and only to it.
"""

from __future__ import annotations

import re

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


def asks_source(question: str) -> bool:
    """Whether the question asks who wrote something or when it appeared."""
    return ASKS_SOURCE.search(question) is not None


def cited_titles(hit: Hit, asked: set[str]) -> list[tuple[int, int]]:
    """[start, end) in `hit.text` of each name with its author-year citation inside the hit's titles that names
    one of the question's key stems `asked` by its name (a table of contents cites every paper of the note; one is
    asked)."""
    spans: list[tuple[int, int]] = []
    for start, end in hit.context_spans:
        s, e = max(start - hit.start, 0), min(end - hit.start, len(hit.text))
        for m in CITATION.finditer(hit.text[s:e]):
            if key_stems(m.group().split(" (")[0]) & asked:  # the name, not the authors or the year
                spans.append((s + m.start(), s + m.end()))
    return spans
