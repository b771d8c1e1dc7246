"""Headings of the markup formats people keep notes in: Markdown, reStructuredText and Org-mode.

Each rule reads the text as it is on disk and returns `Heading`s (spans of the heading's own lines) plus
context spans (front matter, directive lines, `#+TITLE:` lines: there to describe, never to quote).
Nothing is rewritten: a heading's title is cleaned for breadcrumbs, but its span is the source line(s).
Obsidian `[[wikilinks]]` and `#tags` stay as text (a tag has no space after `#`, so it is no heading).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass

from ingest.code_blocks import markdown_code
from ingest.lines import front_matter_end
from ingest.loaders import Heading
from ingest.sections import Line, Span, line_span, split_lines

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?[ \t]*(?:[ \t]#+[ \t]*)?$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_LIST_OR_QUOTE = re.compile(r"^\s*([-*+>]|\d+[.)])(\s|$)")
_RST_ADORNMENT = re.compile(r"^([!-/:-@\[-`{-~])\1{2,}\s*$")  # one punctuation character, repeated
_RST_EXPLICIT = re.compile(r"^\.\.(\s|$)")
_RST_DIRECTIVE = re.compile(r"^\.\.[ \t]+([\w-]+)::")
# directives whose argument on the directive line is already what the note says (`.. note:: Keep backups.`):
# only the `.. note::` marker is context. Other directives' arguments name things (a file, a language, a title)
RST_SAYING_DIRECTIVES = frozenset(
    {"attention", "caution", "danger", "error", "hint", "important", "note", "seealso", "tip", "todo", "warning"}
    | {"versionadded", "versionchanged", "versionremoved", "deprecated"}
)
_ORG_HEADING = re.compile(r"^(\*+)[ \t]+(.*?)[ \t]*(:[\w@#%:]+:)?[ \t]*$")
_ORG_KEYWORD = re.compile(r"^#\+(\w+):[ \t]*(.*)$")
_ORG_PLANNING = re.compile(r"^(SCHEDULED|DEADLINE|CLOSED):")  # a heading's dates: "DEADLINE: <2025-01-01>"
_ORG_DRAWER = re.compile(r"^:([\w-]+):$")  # ":PROPERTIES:", ":LOGBOOK:" ... up to ":END:"
_INLINE_MARKUP = re.compile(r"[*_`]+|\[\[([^\]|]*\|)?|\]\]|:\w+:`")


@dataclass(frozen=True)
class Markup:
    """What a markup rule found: headings in order, context spans, and a declared title if any."""

    headings: tuple[Heading, ...]
    context: tuple[Span, ...] = ()
    title: str | None = None


def clean_title(raw: str) -> str:
    """A heading's words for breadcrumbs: emphasis, backticks and wikilink brackets dropped."""
    return " ".join(_INLINE_MARKUP.sub("", raw).split())


def _front_title(text: str, lines: list[Line], end: int) -> str | None:
    for line in lines[1 : end - 1]:
        match = re.match(r"^title\s*[:=]\s*(.+)$", line.text)
        if match:
            return match.group(1).strip().strip("\"'") or None
    return None


def markdown_markup(text: str) -> Markup:
    """ATX (`# Title`) and setext (`Title` over `===`/`---`) headings outside fenced code; front matter."""
    lines = split_lines(text)
    skip = front_matter_end(lines)
    context: list[Span] = []
    title = None
    if skip:
        context.append((lines[0].start, lines[skip - 1].end))
        title = _front_title(text, lines, skip)
    headings: list[Heading] = []
    fences = markdown_code(text, indented=False)  # the one fence rule (ingest.code_blocks): no heading inside
    fence_starts = [s for s, _ in fences]
    for i in range(skip, len(lines)):
        line = lines[i]
        raw = text[line.start : line.end]
        at = bisect_right(fence_starts, line.end) - 1  # the last fence starting on or before this line
        if at >= 0 and line.start < fences[at][1]:
            continue
        atx = _ATX.match(raw)
        if atx and clean_title(atx.group(2) or ""):
            headings.append(Heading(len(atx.group(1)), clean_title(atx.group(2)), *line_span(text, line)))
            continue
        below = lines[i + 1] if i + 1 < len(lines) else None
        if below is None or not line.text or not _SETEXT.match(text[below.start : below.end]):
            continue
        prev_blank = i == skip or not lines[i - 1].text or (headings and headings[-1].end >= lines[i - 1].start)
        if prev_blank and not _LIST_OR_QUOTE.match(raw) and not raw.startswith(("    ", "\t")):
            level = 1 if below.text.startswith("=") else 2
            headings.append(Heading(level, clean_title(line.text), line_span(text, line)[0], line_span(text, below)[1]))
    return Markup(_drop_overlaps(headings), tuple(context), title)


def _drop_overlaps(headings: list[Heading]) -> tuple[Heading, ...]:
    out: list[Heading] = []
    for h in headings:
        if not out or h.start >= out[-1].end:
            out.append(h)
    return tuple(out)


def rst_markup(text: str) -> Markup:
    """Section titles underlined (and optionally overlined) with one repeated punctuation character.

    Levels follow the order in which title styles first appear, as docutils assigns them. Explicit markup
    lines (`.. _label:`, `.. index::` and its entries, `.. image:: path`) are context: they name, not say.
    An admonition says (`RST_SAYING_DIRECTIVES`): its marker is context, the text after it and its indented
    body are content.
    """
    lines = split_lines(text)
    styles: list[tuple[str, bool]] = []
    headings: list[Heading] = []
    context: list[Span] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        raw = text[line.start : line.end]
        if _RST_EXPLICIT.match(raw):
            j = i + 1
            if raw.startswith((".. index::", ".. _", ".. sectionauthor::", ".. highlight::")):
                while j < len(lines) and (not lines[j].text or text[lines[j].start] in " \t"):
                    j += 1  # the directive's indented entries
                while j > i + 1 and not lines[j - 1].text:
                    j -= 1
            directive = _RST_DIRECTIVE.match(raw)
            if directive and directive.group(1).lower() in RST_SAYING_DIRECTIVES and raw[directive.end() :].strip():
                context.append((line.start, line.start + directive.end()))  # the argument is content
            elif j == i + 1:
                context.append(line_span(text, line))
            else:
                context.append((line_span(text, line)[0], lines[j - 1].end))
            i = j
            continue
        found = _rst_title(text, lines, i)
        if found is None:
            i += 1
            continue
        title_line, last, style = found
        if style not in styles:
            styles.append(style)
        start = line_span(text, lines[i])[0]
        headings.append(Heading(styles.index(style) + 1, clean_title(lines[title_line].text), start, lines[last].end))
        i = last + 1
    return Markup(tuple(headings), tuple(context))


def _rst_title(text: str, lines: list[Line], i: int) -> tuple[int, int, tuple[str, bool]] | None:
    """(title line, last adornment line, style) when a title starts at line i."""

    def adornment(k: int) -> str | None:
        if k >= len(lines):
            return None
        match = _RST_ADORNMENT.match(text[lines[k].start : lines[k].end])
        return match.group(1) if match else None

    def is_title_text(k: int) -> bool:
        return k < len(lines) and bool(lines[k].text) and adornment(k) is None

    over = adornment(i)
    overlined = over and i + 2 < len(lines) and is_title_text(i + 1) and adornment(i + 2) == over
    if overlined and len(lines[i + 2].text) >= len(lines[i + 1].text) and (i == 0 or not lines[i - 1].text):
        return i + 1, i + 2, (over, True)
    if over or not is_title_text(i) or text[lines[i].start] in " \t":
        return None
    under = adornment(i + 1)
    if under is None or len(lines[i + 1].text) < min(len(lines[i].text), 4):
        return None
    if i > 0 and lines[i - 1].text and adornment(i - 1) is None:
        return None  # a paragraph's last line, not a title
    return i, i + 1, (under, False)


def org_markup(text: str) -> Markup:
    """`*` headings (level = number of stars, tags dropped); `#+TITLE:` and other keywords, planning lines
    (SCHEDULED/DEADLINE/CLOSED) and drawers (`:PROPERTIES:` ... `:END:`) are context."""
    headings: list[Heading] = []
    context: list[Span] = []
    title = None
    in_block = False
    drawer: Span | None = None  # the open drawer's first line
    for line in split_lines(text):
        raw = text[line.start : line.end]
        upper = line.text.upper()
        if upper.startswith("#+BEGIN_"):
            in_block = True
        elif upper.startswith("#+END_"):
            in_block = False
        if in_block:
            continue
        if drawer is not None and line.text.upper() == ":END:":
            context.append((drawer[0], line_span(text, line)[1]))
            drawer = None
            continue
        opens = _ORG_DRAWER.match(line.text)
        if drawer is None and opens and opens.group(1).upper() != "END":
            drawer = line_span(text, line)
            continue
        if _ORG_PLANNING.match(line.text):
            context.append(line_span(text, line))
            continue
        keyword = _ORG_KEYWORD.match(line.text)
        if keyword:
            context.append(line_span(text, line))
            if keyword.group(1).upper() == "TITLE" and keyword.group(2).strip():
                title = keyword.group(2).strip()
            continue
        match = _ORG_HEADING.match(raw)
        if match and clean_title(match.group(2)):
            drawer = None  # a drawer never spans a heading
            name = re.sub(r"^(TODO|DONE)\s+", "", match.group(2))
            headings.append(Heading(len(match.group(1)), clean_title(name) or name, *line_span(text, line)))
    return Markup(tuple(headings), tuple(context), title)


MARKUP_RULES = {"markdown": markdown_markup, "rst": rst_markup, "org": org_markup}
