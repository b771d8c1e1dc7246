"""reST definition lists: a term on a line of its own, its definition indented on the lines right under it.

    Ozonolysis
        O3 then (CH3)2S cleaves the C=C double bond to give two carbonyl compounds.

reST declares no heading there, so every term and definition of a list stayed in one section, the term a
sentence too short to quote: the definition does not name its term, and "what is ozonolysis?" over a
student's alkene notes quoted a flashcard about leaving groups. Each term becomes a heading one level below
every reST title (as a Markdown flashcard's question does, `ingest.flashcard_lines`), so it titles its
definition's section and is context, never quoted as an answer.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Sequence

from ingest.code_blocks import indent, rst_code
from ingest.flashcard_lines import CARD_LEVEL
from ingest.loaders import Heading
from ingest.sections import Span, line_span, split_lines

# not a term: a list item, explicit markup (".. note::"), a field (":param x:"), a table or line block, an
# option ("-v, --verbose"), a title's adornment, or a paragraph leading into a literal block ("like this::")
_NOT_A_TERM = re.compile(r"^(?:[-*+•]\s|\d+[.)]\s|#\.\s|\(?[0-9a-zA-Z]\)\s|\.\.(?:\s|$)|:|\||\+[-=]|>>>)")
_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1{2,}\s*$")
MAX_TERM_CHARS = 80  # a longer line over an indented one is a paragraph, not a term


def definition_headings(text: str, titles: Sequence[Heading] = ()) -> list[Heading]:
    """Each definition list term (outside literal blocks and `titles`' spans) as a heading: a line after a blank
    line or a deeper-indented one, directly followed by a line indented deeper than itself."""
    lines = split_lines(text)
    blocked = sorted([*rst_code(text), *((h.start, h.end) for h in titles)])
    starts = [s for s, _ in blocked]

    def inside(span: Span) -> bool:
        at = bisect_right(starts, span[0]) - 1
        return at >= 0 and span[0] < blocked[at][1]

    out = []
    for i, line in enumerate(lines[:-1]):
        below = lines[i + 1]
        if not line.text or not below.text or len(line.text) > MAX_TERM_CHARS:
            continue
        depth = indent(text[line.start : line.end])
        if indent(text[below.start : below.end]) <= depth:
            continue
        if i > 0 and lines[i - 1].text and indent(text[lines[i - 1].start : lines[i - 1].end]) <= depth:
            continue  # a paragraph's last line over an indented block (a block quote, a continuation)
        if _NOT_A_TERM.match(line.text) or _ADORNMENT.match(line.text) or line.text.endswith("::"):
            continue
        span = line_span(text, line)
        if not inside(span):
            out.append(Heading(CARD_LEVEL, line.text, *span))
    return out
