"""Find the sections of a document: titled `[start, end)` spans with breadcrumbs and context spans.

Markdown, reST, Org, LaTeX, notebooks, HTML, Word and PDF declare their structure (headings, outlines, pages),
read here (`ingest.markup` holds the markup rules, `ingest.latex` LaTeX's). Plain-text notes do not;
`ingest.plaintext` infers theirs. Either way a section's heading lines are its `context`: they stay in
its text but are never quoted as an answer. Code blocks the markup or the loader marks
(`ingest.code_blocks`) become each section's `code`, after the sections are found: they move no bound.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace

from ingest.code_blocks import CODE_RULES
from ingest.flashcard_lines import flashcard_headings
from ingest.latex import LatexMarkup, latex_markup
from ingest.lines import is_heading_case, is_question, is_title_like, notion_header_end
from ingest.loaders import Heading, LoadedFile
from ingest.markup import MARKUP_RULES, markdown_markup
from ingest.pdf_pages import page_structure, running_lines
from ingest.plaintext import plain_text_structure
from ingest.rst_definitions import definition_headings
from ingest.schema import Section
from ingest.sections import (
    DocStructure,
    Line,
    Span,
    clip_spans,
    default_title,
    join_bare_headings,
    split_lines,
    trim_span,
    with_span,
)
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


def spans_by_section(spans: Sequence[Span], sections: Sequence[Section]) -> list[tuple[Span, ...]]:
    """For each section, the spans that overlap it: one sweep in order of start, not every span against every
    section (a long LaTeX file has thousands of each: 2,400 sections and 20,000 context spans took 18 s)."""
    ordered = sorted(spans)
    found: list[tuple[Span, ...]] = [()] * len(sections)
    active: list[Span] = []  # spans begun before the current section's end, not ended before its start
    i = 0
    for k in sorted(range(len(sections)), key=lambda k: sections[k].start):
        start, end = sections[k].start, sections[k].end
        while i < len(ordered) and ordered[i][0] < end:
            active.append(ordered[i])
            i += 1
        active = [span for span in active if span[1] > start]  # later sections start later: never needed again
        found[k] = tuple(span for span in active if span[0] < end)
    return found


def same_title(a: str, b: str) -> bool:
    """Two spellings of one title: the same letters and digits, case and punctuation aside."""
    return a == b or [w.casefold() for w in re.findall(r"[^\W_]+", a)] == [
        w.casefold() for w in re.findall(r"[^\W_]+", b)
    ]


def heading_structure(
    text: str, doc: str, headings: list[Heading], title: str | None = None, markup_context: tuple[Span, ...] = ()
) -> DocStructure:
    """Sections from explicit headings: each runs to the next heading; crumbs follow heading levels.

    `markup_context` (front matter, directive lines) joins the sections it falls in before bare headings are
    joined, so a section holding nothing but a label or a title opens the next one instead."""
    top = min(h.level for h in headings)  # once: inside the comprehension it made 12,000 headings take 50 s
    h1 = [h for h in headings if h.level == top]
    doc_title = title or (h1[0].title if len(h1) == 1 and headings[0] is h1[0] else default_title(doc))
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
        if same_title(titles[0], doc_title):  # front matter's "Bayes theorem" over "# Bayes' theorem": one crumb
            titles = titles[1:]
        start, end = trim_span(text, heading.start, bound)
        if end > start:
            context = trim_span(text, heading.start, min(heading.end, end))
            sections.append(Section(heading.title, (doc_title, *titles), start, end, context=(context,)))
    inside = spans_by_section(markup_context, sections)
    sections = [with_span(s, s.start, s.end, spans) for s, spans in zip(sections, inside, strict=True)]
    return DocStructure(doc_title, tuple(join_bare_headings(text, sections)))


def markdown_headings(text: str) -> list[Heading]:
    """ATX and setext headings outside fenced code blocks (`ingest.markup.markdown_markup`)."""
    return list(markdown_markup(text).headings)


def with_context(structure: DocStructure, spans: tuple[Span, ...]) -> DocStructure:
    """Front matter, directive lines and keywords become context of the sections they fall in."""
    if not spans:
        return structure
    inside = spans_by_section(spans, structure.sections)
    sections = tuple(with_span(s, s.start, s.end, own) for s, own in zip(structure.sections, inside, strict=True))
    return DocStructure(structure.title, sections)


def with_code(structure: DocStructure, spans: tuple[Span, ...]) -> DocStructure:
    """Each section with the code blocks inside it (`Section.code`); bounds and context unchanged."""
    if not spans:
        return structure
    inside = spans_by_section(spans, structure.sections)
    sections = tuple(
        replace(s, code=clip_spans(own, s.start, s.end)) for s, own in zip(structure.sections, inside, strict=True)
    )
    return DocStructure(structure.title, sections)


def with_rows(
    structure: DocStructure, spans: tuple[Span, ...] | None, breaks: tuple[Span, ...] | None = None
) -> DocStructure:
    """Each section with the table rows the loader marked inside it (`Section.rows`, empty when none) and the
    "|" between their cells (`Section.cell_breaks`); unchanged where the loader marks none (None: the format
    writes its tables as text)."""
    if spans is None:
        return structure
    inside = spans_by_section(spans, structure.sections)
    cut = spans_by_section(breaks, structure.sections) if breaks is not None else [None] * len(structure.sections)
    sections = tuple(
        replace(
            s,
            rows=clip_spans(own, s.start, s.end),
            cell_breaks=None if own_breaks is None else clip_spans(own_breaks, s.start, s.end),
        )
        for s, own, own_breaks in zip(structure.sections, inside, cut, strict=True)
    )
    return DocStructure(structure.title, sections)


def infer_structure(loaded: LoadedFile) -> DocStructure:
    """Sections of a loaded note (code goes through `ingest.code` instead)."""
    if loaded.fmt == "latex":  # the loader's parse, code and formulas included (a file built in memory: parsed here)
        markup = loaded.latex or latex_markup(loaded.source.text)
        return with_code(latex_structure(loaded.source.text, loaded.source.doc, markup), loaded.code + markup.code)
    code_rule = CODE_RULES.get(loaded.fmt)
    code = loaded.code + (code_rule(loaded.source.text) if code_rule is not None else ())
    return with_rows(with_code(_sections(loaded), code), loaded.rows, loaded.cell_breaks)


def latex_structure(text: str, doc: str, markup: LatexMarkup) -> DocStructure:
    """Sections of a .tex file's body (`ingest.latex`): the preamble and what follows `\\end{document}` are
    context while bare headings are joined, then left out of every section (LaTeX prints neither). Each section
    keeps the display formulas inside it whole (`Section.formulas`)."""
    if markup.headings:
        structure = heading_structure(text, doc, list(markup.headings), markup.title, markup.context)
    else:
        title = markup.title or default_title(doc)
        structure = DocStructure(title, (Section(title, (title,), 0, len(text), context=markup.context),))
    sections = []
    for section in structure.sections:
        start, end = trim_span(text, max(section.start, markup.body[0]), min(section.end, markup.body[1]))
        if end > start:
            sections.append(with_span(section, start, end))
    formulas = spans_by_section(markup.formulas, sections)
    return DocStructure(
        structure.title,
        tuple(replace(s, formulas=clip_spans(f, s.start, s.end)) for s, f in zip(sections, formulas, strict=True)),
    )


def _sections(loaded: LoadedFile) -> DocStructure:
    text, doc = loaded.source.text, loaded.source.doc
    if loaded.fmt == "pdf":  # running headers and footers are context under an outline too
        if not loaded.headings:
            return page_structure(text, doc, loaded.pages, loaded.title)
        return heading_structure(text, doc, list(loaded.headings), loaded.title, running_lines(text, loaded.pages))
    headings, context, title = list(loaded.headings), loaded.context, None
    rule = MARKUP_RULES.get(loaded.fmt)
    if rule is not None:
        markup = rule(text)
        headings, context, title = list(markup.headings), markup.context, markup.title
    if loaded.fmt == "markdown":
        headings = sorted(headings + flashcard_headings(text), key=lambda h: h.start)
    if loaded.fmt == "rst":
        headings = sorted(headings + definition_headings(text, headings), key=lambda h: h.start)
    if headings:
        return heading_structure(text, doc, headings, title, context)
    return with_context(plain_text_structure(text, doc, frozenset(loaded.items)), context)
