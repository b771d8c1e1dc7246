"""HTML notes (a saved page, an exported notebook or wiki): visible text, one block per line, h1-h6 as heading
spans, <pre> blocks as code spans, and a site's labels (<nav>, <footer>, a table's header row) as context.

A newline in a page's text is whitespace, as a browser shows it: a hand-wrapped `<li>` or `<p>` is one line, not
one per source line, an inline <code> in it too. Only <pre> (and what is in it) and an element whose inline style
says `white-space: pre`/`pre-wrap`/`pre-line` keep their line breaks (no other CSS is read)."""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ingest.errors import SkippedFile
from ingest.html_lists import _item_marker, _item_number, _list_type, _open_list, _OpenList
from ingest.loaders import Heading, LoadedFile, decode_text
from ingest.schema import SourceDoc, sha256_bytes

if TYPE_CHECKING:
    from bs4 import Tag

_HTML_BLOCKS = frozenset(
    [
        "p",
        "div",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "nav",
        "aside",
        "ul",
        "ol",
        "li",
        "table",
        "tr",
        "pre",
        "blockquote",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "br",
        "hr",
        "dl",
        "dt",
        "dd",
        "figure",
        "figcaption",
        "title",
        "body",
        "form",
        "details",
        "summary",
    ]
)
_HTML_HIDDEN = ("script", "style", "noscript", "template", "head", "svg")
_BLOCK_END = object()  # marks where a block element's children end on the walk's stack


@dataclass(frozen=True)
class _PreEnd:
    """Marks where a <pre>'s children end on the walk's stack; `start`: where its text began."""

    start: int


@dataclass(frozen=True)
class _VerbatimEnd:
    """Marks where the children of an element that sets how newlines read end (a <pre>, a `white-space` style);
    `outer`: whether they were line breaks around it."""

    outer: bool


@dataclass(frozen=True)
class _ListEnd:
    """Marks where a <ul> or <ol>'s children end on the walk's stack."""


@dataclass(frozen=True)
class _LabelEnd:
    """Marks where a label's children end (a <nav>, a <footer>, a table's header row); `start`: where it began."""

    start: int


@dataclass(frozen=True)
class _RowEnd:
    """Marks where a table row's children end (a <tr> of two cells or more); `start`: where it began."""

    start: int


_HTML_LISTS = frozenset({"ul", "ol", "menu"})
_INDENT = "  "  # a nested item's indent per level: the quoting writer reads a nested list as nested, not one run
_MAX_INDENT_LEVELS = 8  # deeper lists indent no further: 5,000 nested <ul>s must not write 25 million spaces
_HTML_LABELS = frozenset({"nav", "footer"})  # a site's links and "Last updated ...": read, never quoted
# the same written as ARIA roles on any element (Sphinx: <div class="related" role="navigation">, the breadcrumb
# "Python Frequently Asked Questions »" that the quoting writer took for an answer)
_ARIA_LABELS = frozenset({"navigation", "contentinfo"})
_HTML_CELLS = frozenset({"td", "th"})
# an inline style's white-space, the last one written (CSS's cascade): pre, pre-wrap, pre-line and break-spaces
# keep a text's line breaks, normal and nowrap make them spaces
_WHITE_SPACE = re.compile(r"white-space\s*:\s*(pre-wrap|pre-line|pre|break-spaces|normal|nowrap)\b", re.IGNORECASE)


# <meta charset="...">, <meta http-equiv="Content-Type" content="text/html; charset=...">, or XHTML's
# <?xml version="1.0" encoding="..."?>
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]*?charset\s*=\s*["']?([A-Za-z0-9_.:-]+)|<\?xml[^>]*?encoding\s*=\s*["']([A-Za-z0-9_.:-]+)""",
    re.IGNORECASE,
)

# XHTML's XML declaration: no text, and bs4 takes a page opening with it for XML and warns on stderr at every ingest
_XML_DECLARATION = re.compile(r"\A\s*<\?xml[^>]*\?>")


def load_html(doc: str, data: bytes) -> LoadedFile:
    """Visible text, one block per line, with h1-h6 kept as heading spans and <pre> blocks as code spans."""
    from bs4 import BeautifulSoup, NavigableString, Tag
    from bs4.element import Comment, Declaration, Doctype, ProcessingInstruction

    declared = _DECLARED_CHARSET.search(data[:4096])
    raw, warnings = decode_text(data, (declared.group(1) or declared.group(2)).decode("ascii") if declared else None)
    soup = BeautifulSoup(_XML_DECLARATION.sub("", raw, count=1), "lxml")
    for tag in soup(list(_HTML_HIDDEN)):
        tag.decompose()
    parts: list[str] = []
    headings: list[Heading] = []
    pre: list[tuple[int, int]] = []  # [start, end) of each <pre>'s text in "".join(parts)
    labels: list[tuple[int, int]] = []  # [start, end) of each label's text (`_LabelEnd`)
    rows: list[tuple[int, int]] = []  # [start, end) of each table row's text (`_RowEnd`)
    breaks: list[int] = []  # where each "|" between two cells of a row is in "".join(parts)
    lists: list[_OpenList] = []  # per open <ul>/<ol>: how its items are numbered
    items: set[int] = set()  # where each <li>'s line starts in "".join(parts): its indent is kept
    size = 0
    marker_end = -1  # where the last item's marker ends: its text goes on that line, whatever block opens it
    verbatim = False  # whether a newline in the text is a line break (in a <pre>), not a space

    def emit(piece: str) -> None:
        nonlocal size
        parts.append(piece)
        size += len(piece)

    def newline() -> None:
        if parts and not parts[-1].endswith("\n") and size != marker_end:
            emit("\n")

    # an explicit stack, not recursion: a page of 5,000 nested <div>s must not raise RecursionError
    stack: list[object] = list(reversed(list(soup.children)))
    while stack:
        child = stack.pop()
        if child is _BLOCK_END:
            marker_end = -1  # an item with no text ends its line all the same
            newline()
            continue
        if isinstance(child, _PreEnd):
            pre.append((child.start, size))
            continue
        if isinstance(child, _LabelEnd):
            labels.append((child.start, size))
            continue
        if isinstance(child, _RowEnd):
            rows.append((child.start, size))
            continue
        if isinstance(child, _ListEnd):
            lists.pop()
            continue
        if isinstance(child, _VerbatimEnd):
            verbatim = child.outer
            continue
        if isinstance(child, (Comment, Declaration, Doctype, ProcessingInstruction)):
            continue
        if isinstance(child, NavigableString):
            # a newline in running text is a space (one for one: offsets into the raw text keep their meaning)
            piece = str(child) if verbatim else str(child).replace("\r", " ").replace("\n", " ")
            at_marker = size == marker_end
            emit(piece)
            if at_marker and not piece.strip():  # "<li>\n  <p>text": the item's text still goes on its marker's line
                marker_end = size
            continue
        if not isinstance(child, Tag):
            continue
        name = child.name.lower()
        block = name in _HTML_BLOCKS
        if block:
            newline()
            stack.append(_BLOCK_END)
        if name in _HTML_LISTS:
            lists.append(_open_list(child))
            stack.append(_ListEnd())
        if name == "li":  # the marker the page shows ("• ", "2. ", "b. "): a list reads as one, as a Markdown note's
            ordered, marker = (lists[-1] if lists and lists[-1].ordered else None), "• "
            if ordered is not None:  # an item's own `type` overrides its list's, as in a browser
                marker = f"{_item_marker(_item_number(ordered, child), _list_type(child, ordered.type))}. "
            if size == marker_end:  # an item that opens with a nested list: the nested one on a line of its own
                emit("\n")
            items.add(size)
            emit(_INDENT * min(max(len(lists) - 1, 0), _MAX_INDENT_LEVELS) + marker)
            marker_end = size
        if name in _HTML_CELLS and child.find_previous_sibling(_HTML_CELLS) is not None:
            breaks.append(size + 1)
            emit(" | ")  # a table row is one line, its cells apart, as a Word table's (ingest.docx)
        row = name == "tr" and (cells := child.find_all(_HTML_CELLS, recursive=False))
        if name in _HTML_LABELS or _labels_by_role(child) or (row and all(c.name.lower() == "th" for c in cells)):
            stack.append(_LabelEnd(size))
        if row and len(cells) >= 2:  # its cells joined by " | ": a row, which prose with a "|" is not
            stack.append(_RowEnd(size))
        if name in {"h1", "h2", "h3", "h4", "h5", "h6"}:
            title = " ".join(child.get_text(" ").split())
            if title:  # where the walk writes it (raw offsets): a contents list's line of the same words is no heading
                headings.append(Heading(int(name[1]), title, size, size + len(title)))
                emit(title)
        else:
            if name == "pre":
                stack.append(_PreEnd(size))
            if (keeps := _keeps_line_breaks(child)) is not None:
                stack.append(_VerbatimEnd(verbatim))
                verbatim = keeps
            stack.extend(reversed(list(child.children)))
    # whitespace inside a line carries no meaning in HTML: collapse it, then map the headings' offsets
    joined = "".join(parts)
    text, line_spans = _collapse(joined, items)
    headings = _relocate(text, line_spans, headings)
    if not text.strip():
        raise SkippedFile("no visible text in HTML")
    code, context = _covering(line_spans, pre), _covering(line_spans, labels)
    # a row whose cells hold blocks (a <p>, a list) is several lines: no one line reads as the row
    table_rows = tuple((s, e) for s, e in _covering(line_spans, rows) if "\n" not in text[s:e])
    cell_breaks = _cell_breaks(joined, text, line_spans, items, breaks, table_rows)
    source = SourceDoc(doc, text, sha256_bytes(data), "note", warnings)
    item_lines = tuple(start for raw_start, _, start, _ in line_spans if raw_start in items)
    return LoadedFile(
        source,
        "html",
        tuple(headings),
        code=code,
        context=context,
        rows=table_rows,
        cell_breaks=cell_breaks,
        items=item_lines,
    )


def _cell_breaks(
    raw: str,
    text: str,
    line_spans: list[tuple[int, int, int, int]],
    items: set[int],
    breaks: list[int],
    table_rows: tuple[tuple[int, int], ...],
) -> tuple[tuple[int, int], ...]:
    """`[at, at + 1)` in the collapsed text of each "|" the walk wrote between two cells (`breaks`: offsets in
    `raw`) of a row kept in `table_rows`. The walk writes " | ", so the "|" opens a word of its line, and its
    place in the collapsed line is that of the words before it, joined by single spaces (counted from the
    line's previous "|": a row of many cells is read once)."""
    starts = [raw_s for raw_s, _, _, _ in line_spans]
    row_starts = [s for s, _ in table_rows]  # in order, apart: the one a "|" may fall in is the last before it
    out = []
    last_line, last_at, last_found = -1, 0, 0
    for at in breaks:
        line = bisect.bisect_right(starts, at) - 1
        if line < 0 or at >= line_spans[line][1]:
            continue
        raw_s, _, start, _ = line_spans[line]
        if line == last_line:  # the words since the last "|", that one included
            found = last_found + len(" ".join(raw[last_at:at].split())) + 1
        else:
            indent = len(raw[raw_s:at]) - len(raw[raw_s:at].lstrip(" ")) if raw_s in items else 0
            words = raw[raw_s:at].split()
            found = start + indent + len(" ".join(words)) + (1 if words else 0)
        last_line, last_at, last_found = line, at, found
        row = bisect.bisect_right(row_starts, found) - 1
        if text[found : found + 1] == "|" and row >= 0 and found < table_rows[row][1]:
            out.append((found, found + 1))
    return tuple(out)


def _labels_by_role(tag: Tag) -> bool:
    """Whether an element's ARIA role makes it a site's navigation or footer (`_ARIA_LABELS`)."""
    role = tag.get("role")
    return isinstance(role, str) and not _ARIA_LABELS.isdisjoint(role.lower().split())


def _keeps_line_breaks(tag: Tag) -> bool | None:
    """Whether the element's text keeps its line breaks, as a browser shows it: a <pre> (and what is inside it,
    a <code> too), an element whose inline style says `white-space: pre`/`pre-wrap`/`pre-line`; not one that
    says `normal`/`nowrap`. None: it says nothing, its parent's rule holds (an inline <code> in a <p> is one line)."""
    style = tag.get("style")
    said = _WHITE_SPACE.findall(style) if isinstance(style, str) else []
    if said:
        return said[-1].lower() not in {"normal", "nowrap"}
    return True if tag.name.lower() == "pre" else None


def _collapse(raw: str, items: set[int]) -> tuple[str, list[tuple[int, int, int, int]]]:
    """Each line's runs of whitespace made one space, empty lines dropped; with (raw start, raw end, start,
    end) of each kept line, so a span of `raw` can be found in the text (a <pre> keeps no indentation). A
    list item's line (starting at an offset in `items`) keeps its indent: its nesting."""
    kept: list[str] = []
    spans: list[tuple[int, int, int, int]] = []
    raw_at, at = 0, 0
    for line in raw.split("\n"):
        collapsed = " ".join(line.split())
        if collapsed and raw_at in items:
            collapsed = line[: len(line) - len(line.lstrip(" "))] + collapsed
        if collapsed:
            at += 1 if kept else 0
            spans.append((raw_at, raw_at + len(line), at, at + len(collapsed)))
            kept.append(collapsed)
            at += len(collapsed)
        raw_at += len(line) + 1
    return "\n".join(kept), spans


def _covering(line_spans: list[tuple[int, int, int, int]], raw: list[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """For each `[start, end)` of the raw text, the text's span of the kept lines it touches (none: left out).
    A bisection per span, not a scan of every line: a table of 10,000 rows is 10,000 spans."""
    ends = [raw_e for _, raw_e, _, _ in line_spans]
    out = []
    for start, end in raw:
        first = bisect.bisect_right(ends, start)  # the first line ending after `start`
        last = first
        while last < len(line_spans) and line_spans[last][0] < end:
            last += 1
        if last > first:
            out.append((line_spans[first][2], line_spans[last - 1][3]))
    return tuple(out)


def _relocate(text: str, line_spans: list[tuple[int, int, int, int]], headings: list[Heading]) -> list[Heading]:
    """Each heading's raw span mapped into the collapsed text. The walk writes a title at the end of its line
    (after an item's marker at most, a heading being its own block), so it ends where its collapsed line does."""
    starts = [raw_s for raw_s, _, _, _ in line_spans]
    out: list[Heading] = []
    for h in headings:
        at = bisect.bisect_right(starts, h.start) - 1
        if at < 0 or h.start >= line_spans[at][1]:
            continue
        _, _, start, end = line_spans[at]
        if text[start:end].endswith(h.title):
            out.append(Heading(h.level, h.title, end - len(h.title), end))
    return out
