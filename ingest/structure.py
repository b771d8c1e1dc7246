"""Find the sections of a document: titled `[start, end)` spans with breadcrumbs.

Markdown, HTML and PDF declare their structure (headings, pages). Plain-text notes do not, so it is
inferred from what study notes actually look like:
- blog exports where each article starts with a "Table of Contents <headings...>" line;
- flashcards: a question line, then its answer lines;
- list-style notes where short title-like lines ("LoRA", "Normalization") start topics;
- a Notion export header (type/status/date/... one per line) that is metadata, not content.
Sections come out flat, ordered and non-overlapping; nesting lives in the breadcrumbs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath

from ingest.loaders import Heading, LoadedFile
from ingest.schema import Section

TOC_PREFIX = "Table of Contents"
NOTION_KEYS = frozenset(["type", "status", "date", "slug", "summary", "tags", "category", "icon", "password"])
# A ToC whose first heading is one of these says nothing about the article, so no repeat-matching.
GENERIC_HEADINGS = frozenset(
    [
        "introduction",
        "resources",
        "papers",
        "overview",
        "background",
        "motivation",
        "summary",
        "abstract",
        "preface",
        "contents",
    ]
)
STOP_WORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "as",
        "at",
        "by",
        "for",
        "from",
        "in",
        "into",
        "of",
        "on",
        "or",
        "the",
        "to",
        "vs",
        "vs.",
        "with",
    ]
)
QUESTION_WORDS = frozenset(
    [
        "what",
        "why",
        "how",
        "when",
        "which",
        "is",
        "are",
        "does",
        "do",
        "did",
        "can",
        "could",
        "should",
        "would",
        "will",
        "explain",
        "describe",
        "name",
        "define",
        "compare",
    ]
)
_SENTENCE_VERBS = frozenset(["is", "are", "was", "were", "has", "have"])
_LIST_MARKER = re.compile(r"^\s*(?:[-*•—–>]|\d+[.)]|[a-z][.)]\s)")
_CODE_LIKE = re.compile(r"[=<>{}\[\]]|^\S+\(|\w\(\)|\d\s*[*/+^]\s*\d")
_MD_HEADING = re.compile(r"^(#{1,6})[ \t]+(.+?)[ \t#]*$")
_MD_FENCE = re.compile(r"^\s*(```|~~~)")
MAX_TITLE_WORDS = 8
MAX_RUN = 3  # more consecutive short lines than this is a list, not a heading path


@dataclass(frozen=True)
class Line:
    start: int
    end: int  # excludes the newline
    text: str  # stripped

    @property
    def words(self) -> list[str]:
        return self.text.split()


@dataclass(frozen=True)
class DocStructure:
    title: str
    sections: tuple[Section, ...]


def split_lines(text: str) -> list[Line]:
    """Lines with their character spans; the newline is not part of a line."""
    lines: list[Line] = []
    pos = 0
    for raw in text.splitlines(keepends=True):
        body = raw.rstrip("\r\n")
        lines.append(Line(pos, pos + len(body), body.strip()))
        pos += len(raw)
    return lines


def trim_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink `[start, end)` past surrounding whitespace (spans point at content, never at blanks)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def default_title(doc: str) -> str:
    return PurePosixPath(doc).stem or doc


# ---------------------------------------------------------------- plain text: line classification


def is_question(line: Line) -> bool:
    """A flashcard front: a short line that ends in '?' or opens with a question word."""
    words = line.words
    if not words or len(words) > 30 or _LIST_MARKER.match(line.text):
        return False
    if line.text.endswith("?"):
        return True
    first = words[0].rstrip(",:")
    return (
        first[:1].isupper()
        and first.lower() in QUESTION_WORDS
        and len(words) <= 20
        and not line.text.endswith((".", ":", ",", ";"))
    )


def is_heading_case(line: Line) -> bool:
    """Title Case ("Common Questions"), which marks a grouping heading rather than a short answer."""
    return all(w[0].isupper() or not w[0].isalpha() or w.lower() in STOP_WORDS for w in line.words)


def is_title_like(line: Line) -> bool:
    """A short topic line: capitalized, no sentence punctuation at the end, not code or a list item."""
    words = line.words
    if not words or len(words) > MAX_TITLE_WORDS or len(line.text) > 70:
        return False
    if _LIST_MARKER.match(line.text) or _CODE_LIKE.search(line.text):
        return False
    if "," in line.text or line.text.endswith((".", ";", ":", "!")) or line.text.count("(") != line.text.count(")"):
        return False
    if any(w.lower() in _SENTENCE_VERBS for w in words[1:]):
        return False  # "W is the weight matrix" is a statement, not a topic
    if len(words) >= 6 and not is_heading_case(line):
        return False
    return line.text[0].isupper()


def notion_header_end(lines: list[Line]) -> int:
    """Index of the first line after a Notion export's property block (0 when there is none)."""
    i = 0
    while i < len(lines) and not lines[i].text:
        i += 1
    first = i
    while i < len(lines) and lines[i].text.split(":")[0].strip().lower() in NOTION_KEYS:
        i += 1
    has_content = any(line.text for line in lines[i:])  # a file of nothing but keys is content after all
    return i if i - first >= 3 and has_content else 0


# ---------------------------------------------------------------- plain text: ToC articles


def toc_title(words: list[str]) -> str:
    """The article title hidden in "Table of Contents H1 H2 ... H1 <body>".

    These exports list the headings run together and then start the body by repeating the first
    heading, so the first heading is the longest prefix of the ToC that recurs. Without a repeat,
    or when the first heading is generic, fall back to its first few words.
    """
    if not words:
        return ""
    if words[0].lower().strip("?:") in GENERIC_HEADINGS:
        return words[0]
    for j in range(1, len(words)):
        if words[j] != words[0]:
            continue
        m = 1
        while m < j and j + m < len(words) and words[m] == words[j + m]:
            m += 1
        title = words[:m]
        if title[-1].lower() in STOP_WORDS:  # the repeat was a coincidence mid-title
            title = words[:j] if j <= MAX_TITLE_WORDS else title
            while len(title) > 1 and title[-1].lower() in STOP_WORDS:
                title = title[:-1]
        return " ".join(title)
    title: list[str] = []
    for word in words[:3]:
        if title and word[0].islower() and word.lower() not in STOP_WORDS:
            break
        title.append(word)
        if word.endswith("?"):
            break
    return " ".join(title)


def _articles(text: str, lines: list[Line], doc_title: str, body_start: int) -> list[Section]:
    toc_lines = [ln for ln in lines if ln.text.startswith(TOC_PREFIX) and ln.start >= body_start]
    sections: list[Section] = []
    bounds = [ln.start for ln in toc_lines] + [len(text)]
    if toc_lines and toc_lines[0].start > body_start:
        start, end = trim_span(text, body_start, toc_lines[0].start)
        if end > start:
            sections.append(Section(doc_title, (doc_title,), start, end))
    for line, end in zip(toc_lines, bounds[1:], strict=True):
        body = text[line.start + len(TOC_PREFIX) : end]
        title = toc_title(body.split()[:600]) or doc_title
        start, stop = trim_span(text, line.start, end)
        sections.append(Section(title, (doc_title, title), start, stop))
    return sections


# ---------------------------------------------------------------- plain text: titles and flashcards


def _topic_sections(text: str, lines: list[Line], doc_title: str, first: int) -> list[Section]:
    """Sections started by question lines and runs of title-like lines (see module docstring)."""
    starts: list[tuple[int, str, tuple[str, ...]]] = []  # (line index, title, crumbs between doc and title)
    run: list[int] = []
    prev_question = False

    def flush(run: list[int]) -> None:
        if 0 < len(run) <= MAX_RUN:  # a longer run is a list of short items: content, not headings
            titles = tuple(lines[i].text for i in run)
            starts.append((run[0], titles[-1], titles[:-1]))

    for i in range(first, len(lines)):
        line = lines[i]
        if not line.text:
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

    sections: list[Section] = []
    bounds = [lines[i].start for i, _, _ in starts] + [len(text)]
    preamble_start = lines[first].start if first < len(lines) else len(text)
    if starts and bounds[0] > preamble_start:
        start, end = trim_span(text, preamble_start, bounds[0])
        if end > start:
            sections.append(Section(doc_title, (doc_title,), start, end))
    elif not starts:
        start, end = trim_span(text, preamble_start, len(text))
        return [Section(doc_title, (doc_title,), start, end)] if end > start else []
    for (_, title, crumbs), begin, end in zip(starts, bounds, bounds[1:], strict=False):
        start, stop = trim_span(text, begin, end)
        if stop > start:
            path = (doc_title, *crumbs, title)
            sections.append(Section(title, path, start, stop))
    return _join_bare_headings(text, sections)


def _absorb_title_only_preamble(text: str, sections: list[Section], doc_title: str) -> list[Section]:
    """A preamble that is just the document's title line joins the first section (no 3-word passage)."""
    if len(sections) > 1 and sections[0].title == doc_title and text[sections[0].start : sections[0].end] == doc_title:
        head, nxt = sections[0], sections[1]
        return [Section(nxt.title, nxt.breadcrumbs, head.start, nxt.end), *sections[2:]]
    return sections


def plain_text_structure(text: str, doc: str) -> DocStructure:
    lines = split_lines(text)
    first = notion_header_end(lines)
    body_start = lines[first].start if first < len(lines) else len(text)
    doc_title = default_title(doc)
    if any(ln.text.startswith(TOC_PREFIX) for ln in lines[first:]):
        return DocStructure(doc_title, tuple(_articles(text, lines, doc_title, body_start)))
    content = [i for i in range(first, len(lines)) if lines[i].text]
    if content:
        top = lines[content[0]]
        if len(top.words) <= 12 and not top.text.endswith((".", "?", ":")) and len(content) > 1:
            doc_title = top.text
            first = content[0] + 1
            sections = _topic_sections(text, lines, doc_title, first)
            title_sec = Section(doc_title, (doc_title,), top.start, top.end)
            if sections and sections[0].title == doc_title:  # preamble already covers from here
                sections[0] = Section(doc_title, (doc_title,), top.start, sections[0].end)
            else:
                sections = [title_sec, *sections]
            return DocStructure(doc_title, tuple(_absorb_title_only_preamble(text, sections, doc_title)))
    return DocStructure(doc_title, tuple(_topic_sections(text, lines, doc_title, first)))


# ---------------------------------------------------------------- formats with declared structure


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
            sections.append(Section(heading.title, (doc_title, *titles), start, end))
    return DocStructure(doc_title, tuple(_join_bare_headings(text, sections)))


def _join_bare_headings(text: str, sections: list[Section]) -> list[Section]:
    """A heading with no text of its own ("# Title" then "## First") opens the next section instead."""
    out: list[Section] = []
    pending: int | None = None
    for section in sections:
        start = section.start if pending is None else pending
        pending = None
        body = text[section.start : section.end]
        if "\n" not in body and body.endswith(section.title) and section is not sections[-1]:
            pending = start
            continue
        out.append(Section(section.title, section.breadcrumbs, start, section.end))
    return out


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
