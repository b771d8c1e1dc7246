"""A PDF's pages as sections: running headers and footers are context, a page's title line names it.

Extracted page text carries what the printer put on every page ("STAT 201 - Lecture notes", "Page 3"),
and a slide or lecture page usually opens with its title. Neither is an answer: both become context,
so the quoting writer never quotes "Page 2" or a course banner, and a page opening with a title is
named by it ("Central limit theorem") instead of "Page 3".
"""

from __future__ import annotations

import re

from ingest.lines import is_title_like
from ingest.schema import Section
from ingest.sections import DocStructure, Line, Span, default_title, line_span, split_lines, trim_span

EDGE_LINES = 2  # a running header or footer sits in a page's first or last lines
# "3", "- 3 -", "Page 3", "p. 3", "Slide 3 of 12", "3 / 12"
PAGE_NUMBER = re.compile(
    r"^(?:[-–—]\s*)?(?:(?:page|p\.|slide)\s*)?\d{1,4}(?:\s*(?:/|of)\s*\d{1,4})?(?:\s*[-–—])?$", re.I
)


def _page_lines(text: str, start: int, end: int) -> list[Line]:
    return [Line(line.start + start, line.end + start, line.text) for line in split_lines(text[start:end]) if line.text]


def _shape(line: Line) -> str:
    """A line with its numbers blanked: "Page 3 of 9" and "Page 4 of 9" are one running line."""
    return re.sub(r"\d+", "#", " ".join(line.words)).lower()


def running_lines(text: str, pages: tuple[Span, ...]) -> tuple[Span, ...]:
    """Spans of the lines at a page's edges that are page numbers or repeat (numbers aside) on at least
    half of the pages (two at least)."""
    edges = []
    for start, end in pages:
        lines = _page_lines(text, start, end)
        edges.append(lines[:EDGE_LINES] + lines[EDGE_LINES:][-EDGE_LINES:])
    pages_with: dict[str, int] = {}
    for lines in edges:
        for shape in {_shape(line) for line in lines}:
            pages_with[shape] = pages_with.get(shape, 0) + 1
    needed = max(2, (len(pages) + 1) // 2)
    spans = []
    for lines in edges:
        for line in lines:
            if PAGE_NUMBER.match(line.text) or pages_with[_shape(line)] >= needed:
                spans.append(line_span(text, line))
    return tuple(sorted(spans))


def page_title(text: str, start: int, end: int, running: tuple[Span, ...]) -> Line | None:
    """The page's first line that is not a running line, when it reads as a title and the line below it does
    not carry on its sentence ("The sample mean" over "converges to the population mean.")."""
    lines = [line for line in _page_lines(text, start, end) if line_span(text, line) not in running]
    if not lines or not is_title_like(lines[0]):
        return None
    if len(lines) > 1 and lines[1].text[:1].islower():
        return None
    return lines[0]


def page_structure(text: str, doc: str, pages: tuple[Span, ...], title: str | None = None) -> DocStructure:
    """One section per page: named by its title line when it opens with one, else "Page n"; the document is
    named by `title` (the PDF's own), else by its file name."""
    title = title or default_title(doc)
    running = running_lines(text, pages)
    sections = []
    for n, (start, end) in enumerate(pages, 1):
        start, end = trim_span(text, start, end)
        if end <= start:
            continue
        context = [s for s in running if start <= s[0] and s[1] <= end]
        heading = page_title(text, start, end, running)
        if heading is None:
            sections.append(Section(f"Page {n}", (title, f"Page {n}"), start, end, context=tuple(context)))
            continue
        context.append(line_span(text, heading))
        sections.append(Section(heading.text, (title, heading.text), start, end, context=tuple(sorted(context))))
    return DocStructure(title, tuple(sections))
