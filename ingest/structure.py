"""Find the sections of a document: titled `[start, end)` spans with breadcrumbs and context spans.

Markdown, HTML and PDF declare their structure (headings, pages), read here. Plain-text notes do not;
`ingest.plaintext` infers theirs. Either way a section's heading lines are its `context`: they stay in
its text but are never quoted as an answer.
"""

from __future__ import annotations

import re

from ingest.lines import is_heading_case, is_question, is_title_like, notion_header_end
from ingest.loaders import Heading, LoadedFile
from ingest.plaintext import plain_text_structure
from ingest.schema import Section
from ingest.sections import DocStructure, Line, default_title, join_bare_headings, split_lines, trim_span
from ingest.toc import TOC_PREFIX, toc_title

__all__ = [
    "TOC_PREFIX",
    "DocStructure",
    "Line",
    "default_title",
    "heading_structure",
    "infer_structure",
    "is_heading_case",
    "is_question",
    "is_title_like",
    "markdown_headings",
    "notion_header_end",
    "page_structure",
    "plain_text_structure",
    "split_lines",
    "toc_title",
    "trim_span",
]

_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_MD_FENCE = re.compile(r"^\s*(```|~~~)")


def heading_structure(text: str, doc: str, headings: list[Heading]) -> DocStructure:
    """Sections from explicit headings: each runs to the next heading; crumbs follow heading levels."""
    h1 = [h for h in headings if h.level == 1]
    doc_title = h1[0].title if len(h1) == 1 and headings[0] is h1[0] else default_title(doc)
    sections: list[Section] = []
    start, end = trim_span(text, 0, headings[0].start)
    if end > start:
        sections.append(Section(doc_title, (doc_title,), start, end))
    stack: list[Heading] = []
    bounds = [h.start for h in headings[1:]] + [len(text)]
    for heading, bound in zip(headings, bounds, strict=True):
        while stack and stack[-1].level >= heading.level:
            stack.pop()
        stack.append(heading)
        titles = [h.title for h in stack]
        if titles[0] == doc_title:
            titles = titles[1:]
        start, end = trim_span(text, heading.start, bound)
        if end > start:
            context = trim_span(text, heading.start, min(heading.end, end))
            sections.append(Section(heading.title, (doc_title, *titles), start, end, context=(context,)))
    return DocStructure(doc_title, tuple(join_bare_headings(text, sections)))


def markdown_headings(text: str) -> list[Heading]:
    """ATX headings outside fenced code blocks."""
    headings: list[Heading] = []
    fenced = False
    for line in split_lines(text):
        raw = text[line.start : line.end]
        if _MD_FENCE.match(raw):
            fenced = not fenced
            continue
        match = None if fenced else _MD_HEADING.match(raw)
        if match:
            headings.append(Heading(len(match.group(1)), match.group(2).strip(), line.start, line.end))
    return headings


def page_structure(text: str, doc: str, pages: tuple[tuple[int, int], ...]) -> DocStructure:
    title = default_title(doc)
    sections = []
    for n, (start, end) in enumerate(pages, 1):
        start, end = trim_span(text, start, end)
        if end > start:
            sections.append(Section(f"Page {n}", (title, f"Page {n}"), start, end))
    return DocStructure(title, tuple(sections))


def infer_structure(loaded: LoadedFile) -> DocStructure:
    """Sections of a loaded note (code goes through `ingest.code` instead)."""
    text, doc = loaded.source.text, loaded.source.doc
    if loaded.fmt == "pdf":
        return page_structure(text, doc, loaded.pages)
    headings = list(loaded.headings) if loaded.fmt == "html" else []
    if loaded.fmt == "markdown":
        headings = markdown_headings(text)
    if headings:
        return heading_structure(text, doc, headings)
    return plain_text_structure(text, doc)
