"""Sections of plain-text notes, which declare no structure: it is inferred from what study notes
actually look like:
- blog exports where each article starts with a "Table of Contents <headings...>" line (`ingest.toc`);
- flashcards: a question line, then its answer lines;
- list-style notes where short title-like lines ("LoRA", "Normalization") start topics;
- a Notion export header (type/status/date/... one per line) that is metadata, not content.
Sections come out flat, ordered and non-overlapping; nesting lives in the breadcrumbs. The lines that
start a section (titles, a card's question) are recorded as its context: a card's answer is the lines
under its question, never the question itself.
"""

from __future__ import annotations

from collections.abc import Container

from ingest.lines import continues_question, is_heading_case, is_question, is_title_like, notion_header_end
from ingest.schema import Section
from ingest.sections import DocStructure, Line, default_title, join_bare_headings, line_span, split_lines, trim_span
from ingest.toc import TOC_PREFIX, articles

MAX_RUN = 3  # more consecutive short lines than this is a list, not a heading path


def _section_starts(lines: list[Line], first: int, items: Container[int] = ()) -> list[list[int]]:
    """Line indices that open each section: a title run, or a question under its Title Case headings. A line
    the loader wrote as a list item (`items`: where its text starts) is neither ("A. Gradient Descent" of an
    HTML <ol type="A">, as "1. Gradient Descent" by its marker)."""
    starts: list[list[int]] = []
    run: list[int] = []
    prev_question = False

    def flush(run: list[int]) -> None:
        if 0 < len(run) <= MAX_RUN:  # a longer run is a list of short items: content, not headings
            starts.append(run)

    for i in range(first, len(lines)):
        line = lines[i]
        if not line.text:
            continue
        if line.start in items:
            flush(run)
            run = []
            prev_question = False
            continue
        if prev_question and continues_question(line):  # the question goes on: "And what are ..."
            starts[-1].append(i)
            continue
        if is_question(line):  # every card starts a section, under the Title Case headings just above it
            grouped = len(run) < MAX_RUN and all(is_heading_case(lines[j]) for j in run)
            flush([*run, i] if grouped else [i])
            run = []
            prev_question = True
            continue
        if is_title_like(line) and not prev_question:
            run.append(i)
            continue
        flush(run)
        run = []
        prev_question = False
    flush(run)
    return starts


def topic_sections(
    text: str, lines: list[Line], doc_title: str, first: int, items: Container[int] = ()
) -> list[Section]:
    """Sections started by question lines and runs of title-like lines (see module docstring); `items`: where
    the lines a loader wrote as list items start."""
    starts = _section_starts(lines, first, items)
    sections: list[Section] = []
    bounds = [lines[run[0]].start for run in starts] + [len(text)]
    preamble_start = lines[first].start if first < len(lines) else len(text)
    if starts and bounds[0] > preamble_start:
        start, end = trim_span(text, preamble_start, bounds[0])
        if end > start:
            sections.append(Section(doc_title, (doc_title,), start, end))
    elif not starts:
        start, end = trim_span(text, preamble_start, len(text))
        return [Section(doc_title, (doc_title,), start, end)] if end > start else []
    for run, begin, end in zip(starts, bounds, bounds[1:], strict=False):
        start, stop = trim_span(text, begin, end)
        if stop > start:
            # a question's second line ("And what are ...") is context, not a title of its own
            titles = tuple(lines[i].text for i in run if i == run[0] or not continues_question(lines[i]))
            context = tuple(line_span(text, lines[i]) for i in run)
            sections.append(Section(titles[-1], (doc_title, *titles), start, stop, context=context))
    return join_bare_headings(text, sections)


def _absorb_title_only_preamble(text: str, sections: list[Section], doc_title: str) -> list[Section]:
    """A preamble that is just the document's title line joins the first section (no 3-word passage)."""
    if len(sections) > 1 and sections[0].title == doc_title and text[sections[0].start : sections[0].end] == doc_title:
        head, nxt = sections[0], sections[1]
        context = (*head.context, *nxt.context)
        return [Section(nxt.title, nxt.breadcrumbs, head.start, nxt.end, context=context), *sections[2:]]
    return sections


def plain_text_structure(text: str, doc: str, items: Container[int] = ()) -> DocStructure:
    """Sections inferred from the lines (module docstring); `items`: where each line a loader wrote as a list
    item starts (`LoadedFile.items`), a line that opens no section."""
    lines = split_lines(text)
    first = notion_header_end(lines)
    body_start = lines[first].start if first < len(lines) else len(text)
    doc_title = default_title(doc)
    if any(ln.text.startswith(TOC_PREFIX) for ln in lines[first:]):
        return DocStructure(doc_title, tuple(articles(text, lines, doc_title, body_start)))
    content = [i for i in range(first, len(lines)) if lines[i].text]
    if content:
        top = lines[content[0]]
        if len(top.words) <= 12 and not top.text.endswith((".", "?", ":")) and len(content) > 1:
            doc_title = top.text
            first = content[0] + 1
            sections = topic_sections(text, lines, doc_title, first, items)
            top_span = line_span(text, top)
            title_sec = Section(doc_title, (doc_title,), *top_span, context=(top_span,))
            if sections and sections[0].title == doc_title:  # preamble already covers from here
                head = sections[0]
                sections[0] = Section(doc_title, (doc_title,), top_span[0], head.end, context=(top_span, *head.context))
            else:
                sections = [title_sec, *sections]
            return DocStructure(doc_title, tuple(_absorb_title_only_preamble(text, sections, doc_title)))
    return DocStructure(doc_title, tuple(topic_sections(text, lines, doc_title, first, items)))
