"""Quiz cards made from the notes. Every card's answer is an exact span of its note, so a graded answer can
always show the passage it was graded against.

- flashcard: a question line the structure inference found (a section titled by a question); the answer
  is the section's text after the question, up to its first blank line.
- definition: "X is a/an/the ..." or "X: ..." inside a passage; the answer is the defining part.
- title: a section titled by a topic ("Calvin cycle"); the answer is the first sentence of its text.

A card is keyed by its content (kind, question, answer), not by node ids: a re-ingest that leaves the text
alone keeps the key, and so the card's schedule.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import asdict, dataclass
from typing import Any

from core.text import CARD_BACK, IMAGE, WH_WORDS, sentence_spans, unwrapped
from ingest.sections import trim_span
from service.study.guide import card_question, flashcard_line, title_question
from service.study.outline import SectionReader, SectionSpan, section_spans

MAX_ANSWER_CHARS = 400
NOT_A_TERM = (
    frozenset(
        [
            "it",
            "this",
            "there",
            "that",
            "these",
            "those",
            "in",
            "on",
            "for",
            "with",
            "at",
            "by",
            "from",
            "as",
            "if",
        ]
    )
    | WH_WORDS
)
MIN_ANSWER_CHARS = 3
# "Adam is an optimizer that ..." / "Momentum is a method ..." / "Leaky ReLU: introduces ..."
DEFINITION = re.compile(
    r"(?m)^[ \t]*(?:[-*•][ \t]+)?(?P<term>[A-Z][\w\-+/() ]{1,48}?)"
    r"(?:[ \t]+(?:is|are|refers to|means)[ \t]+(?P<def>(?:a|an|the|one)[ \t][^\n]+)|:[ \t]+(?P<def2>[^\n]{12,}))"
)

# "Instructor: Dr. Ana Moreno." / "Due: 2025-11-15" / "Office hours: Tuesdays 2pm": a label with a person or a
# date as its value names who or when, it defines nothing. Only the value's start is read: a title before a
# capitalized name, an ISO or numeric date, a clock time, a weekday, or a month before a day. A numeric date has
# a 4-digit year or a "/" or "-" ("15.11.2025", "11/15/25"): "3.10.12 adds ..." is a version; a month is
# capitalized: "may 2 be enabled" is no date.
NOT_A_DEFINITION = re.compile(
    r"(?:Dr|Prof|Mr|Mrs|Ms|Mx)\.?[ \t]+[A-Z]"
    r"|[<\[(]?\d{4}-\d{2}-\d{2}|\d{1,2}[./-]\d{1,2}[./-]\d{4}\b|\d{1,2}[/-]\d{1,2}[/-]\d{2}\b"
    r"|\d{1,2}(?::\d{2})?[ \t]*(?i:am|pm)\b"
    r"|(?i:(?:mon|tues|wednes|thurs|fri|satur|sun)days?\b)"
    r"|(?:Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?|Sept?(?:ember)?"
    r"|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?[ \t]+\d{1,4}\b"
)


@dataclass(frozen=True)
class Card:
    key: str
    kind: str  # "flashcard", "definition" or "title"
    doc: str
    question: str
    answer: str  # == source_text(doc)[start:end]
    start: int
    end: int
    breadcrumbs: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def card_key(kind: str, question: str, answer: str) -> str:
    return hashlib.sha256(f"{kind}\n{question}\n{answer}".encode()).hexdigest()[:24]


def make_card(kind: str, doc: str, question: str, text: str, span: tuple[int, int], crumbs: list[str]) -> Card | None:
    start, end = trim_span(text, *span)
    if end - start < MIN_ANSWER_CHARS:
        return None
    return Card(card_key(kind, question, text[start:end]), kind, doc, question, text[start:end], start, end, crumbs)


def first_block(text: str, start: int, end: int) -> tuple[int, int]:
    """From `start` to the first blank line (or `end`), cut at a line end past MAX_ANSWER_CHARS."""
    blank = text.find("\n\n", start, end)
    stop = blank if blank != -1 else end
    if stop - start > MAX_ANSWER_CHARS:
        cut = text.rfind("\n", start, start + MAX_ANSWER_CHARS)
        stop = cut if cut > start else first_sentence_end(text, start, stop)
    return start, stop


def first_sentence_end(text: str, start: int, end: int) -> int:
    """Where the sentence at `start` ends; a line break that only wraps it (a PDF's, hard-wrapped prose) does not."""
    spans = sentence_spans(unwrapped(text[start:end]))
    return start + spans[0][1] if spans else end


def past_images(text: str, start: int, end: int) -> int:
    """`start` moved past the lines that only embed an image ("![logo](logo.png)"): a picture is no answer."""
    while start < end:
        line_end = text.find("\n", start, end)
        line_end = end if line_end == -1 else line_end
        if IMAGE.sub("", text[start:line_end]).strip():
            return start
        start, _ = trim_span(text, line_end, end)
    return end


def body_start(text: str, section: SectionSpan) -> int:
    """Where the section's own text begins: after the context spans at its top (heading, question line,
    front matter, an Org heading's indented planning line and drawers), with only white space between."""
    pos = section.start
    for s, e in sorted(section.context):
        if s <= pos + 2 or not text[pos:s].strip():  # a line break, an indent, a blank line between
            pos = max(pos, e)
    return pos


def in_context(section: SectionSpan, pos: int) -> bool:
    """Whether `pos` lies in one of the section's context spans (metadata, headings, table headers)."""
    return any(s <= pos < e for s, e in section.context)


def flashcard_cards(doc: str, text: str, section: SectionSpan) -> list[Card]:
    line = flashcard_line(section, text)
    if line is None:
        return []
    start, end = first_block(text, line.end, section.end)
    start, end = trim_span(text, start, end)
    back = CARD_BACK.match(text, start, end)  # "A: ..." : the label is no part of the answer
    start = back.end() if back else start
    card = make_card("flashcard", doc, card_question(line.text), text, (start, end), list(section.breadcrumbs))
    return [card] if card else []


def definition_cards(doc: str, text: str, section: SectionSpan) -> list[Card]:
    cards = []
    start = body_start(text, section)
    for match in DEFINITION.finditer(text, start, section.end):
        term = match.group("term").strip()
        group = "def" if match.group("def") else "def2"
        if in_context(section, match.start("term")):
            continue  # "DEADLINE: <2025-11-15 Sat>", ":AUTHOR: ...", "title: ...": metadata, not a definition
        if group == "def2" and NOT_A_DEFINITION.match(match.group(group)):
            continue
        first = term.split()[0].lower()
        if len(term.split()) > 5 or first in NOT_A_TERM or any(ch.isdigit() for ch in term):
            continue
        if first in ("a", "an", "the"):
            term = first + term[len(first) :]  # "An oxbow lake is ..." asks "What is an oxbow lake?"
        # the definition runs to its sentence's end, over a line break that only wraps it
        stop = max(
            match.end(group),
            first_sentence_end(text, match.start(group), first_block(text, match.start(group), section.end)[1]),
        )
        span = first_block(text, match.start(group), min(stop, section.end))
        card = make_card("definition", doc, f"What is {term}?", text, span, list(section.breadcrumbs))
        if card:
            cards.append(card)
    return cards


def title_cards(doc: str, text: str, section: SectionSpan) -> list[Card]:
    title = section.breadcrumbs[-1] if len(section.breadcrumbs) > 1 else ""
    question = title_question(title) if title else None
    if question is None or question == title:  # a question title is a flashcard's business
        return []
    start = body_start(text, section)
    start, _ = trim_span(text, start, section.end)
    start = past_images(text, start, section.end)
    if start >= section.end:
        return []
    card = make_card(
        "title", doc, question, text, (start, first_sentence_end(text, start, section.end)), list(section.breadcrumbs)
    )
    return [card] if card else []


def build_cards(reader: SectionReader, doc: str) -> list[Card]:
    """The deck of one document, in document order; a question asked twice keeps its first card."""
    text = reader.source_text(doc) or ""
    cards: list[Card] = []
    seen: set[str] = set()
    for section in section_spans(reader, doc):
        found = flashcard_cards(doc, text, section)
        if not found:
            found = definition_cards(doc, text, section) + title_cards(doc, text, section)
        for card in found:
            if card.question.lower() not in seen:
                seen.add(card.question.lower())
                cards.append(card)
    return cards
