"""Flashcards written into a Markdown note: a "Q: ...?" line with an "A: ..." line under it.

Plain-text notes find such cards by their lines (`ingest.plaintext`); a Markdown note's structure comes
from its headings, which left the cards inside one section: none reached the quiz, and the question
line could be quoted as an answer. Each card's question line becomes a heading one level below every
Markdown heading, so it titles its own section and is context, as in a plain-text note.
"""

from __future__ import annotations

from bisect import bisect_right

from core.text import CARD_BACK, CARD_FRONT
from ingest.code_blocks import markdown_code
from ingest.lines import is_question
from ingest.loaders import Heading
from ingest.sections import line_span, split_lines

CARD_LEVEL = 7  # below "######": a card sits under whatever heading it follows


def flashcard_headings(text: str) -> list[Heading]:
    """The question lines (outside code blocks) directly followed by an answer line, as headings."""
    lines = split_lines(text)
    code = markdown_code(text)
    code_starts = [s for s, _ in code]
    out = []
    for line, below in zip(lines, lines[1:], strict=False):
        if not (CARD_FRONT.match(line.text) and CARD_BACK.match(below.text) and is_question(line)):
            continue
        at = bisect_right(code_starts, line.end) - 1
        if at >= 0 and line.start < code[at][1]:
            continue
        out.append(Heading(CARD_LEVEL, line.text, *line_span(text, line)))
    return out
