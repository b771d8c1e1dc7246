"""A document's guide: its outline and the questions it suggests (its flashcard questions, and its
section titles turned into questions), each tied to the span that answers it."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from core.text import CARD_FRONT, WH_WORDS
from ingest.lines import is_question
from ingest.sections import Line
from service.study.outline import SectionReader, SectionSpan, build_outline, section_spans

# headings that name a part of a document, not a topic one could ask about
GENERIC_TITLES = WH_WORDS | frozenset(
    [
        "table of contents",
        "contents",
        "introduction",
        "intro",
        "overview",
        "summary",
        "conclusion",
        "conclusions",
        "references",
        "history",
        "definitions",
        "common questions",
        "key concepts",
        "notes",
        "appendix",
        "abstract",
        "background",
        "examples",
        "pitfalls",
        "todo",
        "misc",
        "resources",
        "papers",
        "further reading",
        "links",
        "python-related",
    ]
)
MAX_TITLE_WORDS = 6
SINGULAR_ENDINGS = ("ss", "us", "is", "ics", "ous")  # loss, calculus, analysis, statistics, continuous
SINGULAR_S = frozenset(["bias", "bayes", "series", "species", "news", "lens", "gauss"])
# names of one thing that a title capitalizes like a plural: libraries (pandas, Keras, statsmodels), and
# "-means" / "-medoids" after a letter, which name one clustering method (K-means, c-means, k-medoids)
SINGULAR_NAMES = frozenset(["pandas", "keras", "statsmodels", "kubernetes", "jenkins", "atlas", "canvas", "alias"])
ONE_METHOD = re.compile(r"^[a-z]-(?:means|medoids)$")


def card_question(line: str) -> str:
    """A flashcard's question without its "Q:" label."""
    label = CARD_FRONT.match(line)
    return line[label.end() :] if label else line


@dataclass(frozen=True)
class Suggestion:
    question: str
    kind: str  # "flashcard" (the note's own question) or "title" (a section title turned into one)
    doc: str
    start: int  # the section that answers it
    end: int
    breadcrumbs: list[str]

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def title_question(title: str) -> str | None:
    """ "Calvin cycle" -> "What is the Calvin cycle?"; None for generic or long titles, or page labels."""
    words = title.split()
    if not words or len(words) > MAX_TITLE_WORDS or title.lower() in GENERIC_TITLES or title.startswith("Page "):
        return None
    if title.endswith("?"):
        return title
    if not any(ch.isalpha() for ch in title) or ":" in title or "_" in title:
        return None
    if len(words) > 3:
        return f"Explain {title}."
    return f"What {'are' if reads_plural(words[-1]) else 'is'} {title}?"


def reads_plural(word: str) -> bool:
    """ "distributions", "Markov chains" read plural; "analysis", "calculus", "statistics", "Bayes", "pandas",
    "K-means" do not. A spelling rule with a few names (`SINGULAR_NAMES`), not a dictionary: a wrong guess reads
    off, it does not mislead."""
    word = word.lower()
    if word in SINGULAR_NAMES or ONE_METHOD.match(word):
        return False
    return len(word) > 3 and word.endswith("s") and not word.endswith(SINGULAR_ENDINGS) and word not in SINGULAR_S


def flashcard_line(section: SectionSpan, text: str) -> Line | None:
    """The section's own question line (its last breadcrumb, a context span), when it is a flashcard front."""
    title = section.breadcrumbs[-1] if section.breadcrumbs else ""
    for start, end in section.context:
        if text[start:end] == title:
            line = Line(start, end, title)
            return line if is_question(line) else None
    return None


def suggestions(reader: SectionReader, doc: str) -> list[Suggestion]:
    """Flashcard questions first (in document order), then title questions; no question twice."""
    text = reader.source_text(doc) or ""
    cards: list[Suggestion] = []
    titles: list[Suggestion] = []
    seen: set[str] = set()
    sections = section_spans(reader, doc)
    _, outline = build_outline(sections)
    for section in sections:
        line = flashcard_line(section, text)
        question = card_question(line.text) if line is not None else ""
        if line is not None and question.lower() not in seen:
            seen.add(question.lower())
            cards.append(Suggestion(question, "flashcard", doc, section.start, section.end, list(section.breadcrumbs)))
    stack = list(reversed(outline))
    while stack:
        entry = stack.pop()
        question = title_question(entry.title)
        if question and question.lower() not in seen and entry.title.lower() not in seen:
            seen.add(question.lower())
            crumbs = [*([sections[0].breadcrumbs[0]] if sections and sections[0].breadcrumbs else []), *entry.path]
            titles.append(Suggestion(question, "title", doc, entry.start, entry.end, crumbs))
        stack.extend(reversed(entry.children))
    return cards + titles


def document_guide(reader: SectionReader, doc: str) -> dict[str, Any] | None:
    """{doc, title, outline, questions} or None when the index does not hold `doc`."""
    if reader.source_text(doc) is None:
        return None
    title, outline = build_outline(section_spans(reader, doc))
    return {
        "doc": doc,
        "title": title,
        "outline": [entry.to_dict() for entry in outline],
        "questions": [s.to_dict() for s in suggestions(reader, doc)],
    }


def starters(reader: Any, limit: int = 6, per_doc: int = 2) -> list[dict[str, Any]]:
    """A few questions across the notes for an empty chat: up to `per_doc` from each note, in turn."""
    out: list[dict[str, Any]] = []
    for record in reader.documents():
        if record.kind != "note":
            continue
        out.extend(s.to_dict() for s in suggestions(reader, record.doc)[:per_doc])
        if len(out) >= limit:
            break
    return out[:limit]
