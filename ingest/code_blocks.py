"""Code blocks of the markup formats: `[start, end)` spans of a note's text that are code, not prose.

A note's code block stays in its passage (a reader, BM25 and the embedder all use it), but a sentence of
it is never an answer to quote: the comment line `// GET https://...` of a Markdown fence reads like a
sentence to every text rule. The markup says where code is, so the rule lives here, one per format:
Markdown fences and indented blocks, reST literal blocks, code directives and doctests, Org source and
example blocks, and closed fences in plain text; HTML `<pre>`, notebook code cells, Word code paragraphs and
LaTeX's verbatim, lstlisting and minted environments (`ingest.latex`, in its one parse) are marked by their
loaders.
Plain text declares nothing else (its prompts and JSON are left to the quoting writer's text rule).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.lines import front_matter_end
from ingest.sections import Line, Span, line_span, split_lines

_MD_FENCE = re.compile(r"^[ \t]*(`{3,}|~{3,})(.*)$")  # any indent: a fence inside a list item is indented
_MD_LIST_ITEM = re.compile(r"^ {0,3}([-*+]|\d{1,9}[.)])(\s|$)")
_MD_ATX = re.compile(r"^ {0,3}#{1,6}(\s|$)")
_RST_CODE = re.compile(r"^[ \t]*\.\.[ \t]+(code-block|code|sourcecode|doctest|testcode|testsetup|testoutput)::")
_RST_EXPLICIT = re.compile(r"^[ \t]*\.\.(\s|$)")
_RST_LIST_ITEM = re.compile(r"^[ \t]*([-*+•]|\d+[.)]|#\.|\(?[0-9a-zA-Z]\))[ \t]+")  # its text's column
_ORG_BEGIN = re.compile(r"^[ \t]*#\+BEGIN_(SRC|EXAMPLE)\b", re.IGNORECASE)
_ORG_FIXED_WIDTH = re.compile(r"^[ \t]*:( |$)")  # ": output" lines are Org's fixed-width examples


def indent(raw: str, tab: int = 4) -> int:
    """Columns of leading whitespace, a tab reaching the next multiple of `tab`."""
    expanded = raw.expandtabs(tab)
    return len(expanded) - len(expanded.lstrip())


def _block(text: str, lines: list[Line], first: int, last: int) -> Span:
    """The content span of lines[first..last] (the indentation before the first line is not code)."""
    return line_span(text, lines[first])[0], lines[last].end


def _indented_run(text: str, lines: list[Line], i: int, deeper_than: int, tab: int) -> int:
    """Index after the last non-blank line of the run from line i indented more than `deeper_than`."""
    last = i - 1
    for j in range(i, len(lines)):
        if not lines[j].text:
            continue
        if indent(text[lines[j].start : lines[j].end], tab) <= deeper_than:
            break
        last = j
    return last + 1


def _opening_fence(raw: str) -> str | None:
    """The fence (``` or ~~~, 3 or more) a line opens; a backtick fence's info string holds no backtick."""
    fence = _MD_FENCE.match(raw)
    if fence is None or (fence.group(1)[0] == "`" and "`" in fence.group(2)):
        return None
    return fence.group(1)


def _fence_end(text: str, lines: list[Line], i: int, fence: str) -> int | None:
    """Index of the line closing the fence opened at line i; None when it is never closed."""
    for j in range(i + 1, len(lines)):
        closing = _MD_FENCE.match(text[lines[j].start : lines[j].end])
        same = closing and closing.group(1)[0] == fence[0] and len(closing.group(1)) >= len(fence)
        if same and not closing.group(2).strip():
            return j
    return None


def markdown_code(text: str, *, indented: bool = True) -> tuple[Span, ...]:
    """Fenced blocks (``` and ~~~, fence lines included, at any indent so a fence in a list item counts)
    and, with `indented`, indented code blocks: lines indented 4+ after a blank line (or a fence or a
    heading), outside lists, where indentation means a list item's next paragraph instead."""
    lines = split_lines(text)
    spans: list[Span] = []
    in_list, can_open = False, True  # can_open: an indented line here starts code (it cannot continue a paragraph)
    i = front_matter_end(lines)
    while i < len(lines):
        raw = text[lines[i].start : lines[i].end]
        fence = _opening_fence(raw)
        if fence is not None:
            end = _fence_end(text, lines, i, fence)
            end = len(lines) - 1 if end is None else end  # CommonMark runs an open fence to the end
            spans.append(_block(text, lines, i, end))
            i, can_open = end + 1, True
            continue
        if not lines[i].text:
            i, can_open = i + 1, True
            continue
        depth = indent(raw)
        if indented and depth >= 4 and can_open and not in_list:
            end = _indented_run(text, lines, i, 3, 4)
            spans.append(_block(text, lines, i, end - 1))
            i, can_open = end, False
            continue
        if _MD_LIST_ITEM.match(raw):
            in_list = True
        elif _MD_ATX.match(raw) or (depth < 2 and can_open):
            in_list = False  # an unindented paragraph after a blank line (or a heading) ends the list
        can_open = bool(_MD_ATX.match(raw))
        i += 1
    return tuple(spans)


def plain_code(text: str) -> tuple[Span, ...]:
    """Plain text declares nothing, but a closed ``` or ~~~ fence pair is as plain there as in Markdown (notes
    pasted from it). Indentation is layout in plain text, and a fence line never closed is a stray line."""
    lines = split_lines(text)
    spans: list[Span] = []
    i = 0
    while i < len(lines):
        fence = _opening_fence(text[lines[i].start : lines[i].end])
        end = _fence_end(text, lines, i, fence) if fence is not None else None
        if end is not None:
            spans.append(_block(text, lines, i, end))
            i = end
        i += 1
    return tuple(spans)


def rst_code(text: str) -> tuple[Span, ...]:
    """Literal blocks (the indented block after a paragraph ending in `::`), the bodies of code directives
    (`.. code-block::`, `.. code::`, `.. sourcecode::`, doctest's directives; the directive line and its
    options included) and doctest blocks (a paragraph that starts with `>>>`)."""
    lines = split_lines(text)
    spans: list[Span] = []
    i = 0
    while i < len(lines):
        raw = text[lines[i].start : lines[i].end]
        depth = indent(raw, 8)
        if _RST_CODE.match(raw):
            end = max(i + 1, _indented_run(text, lines, i + 1, depth, 8))
            spans.append(_block(text, lines, i, end - 1))
            i = end
            continue
        if lines[i].text.startswith(">>>") and (i == 0 or not lines[i - 1].text):
            end = i
            while end < len(lines) and lines[end].text:
                end += 1
            spans.append(_block(text, lines, i, end - 1))
            i = end
            continue
        if lines[i].text.endswith("::") and not _RST_EXPLICIT.match(raw):
            if item := _RST_LIST_ITEM.match(raw):  # a list item's literal block is indented past the bullet
                depth = len(item.group(0).expandtabs(8))
            k = i + 1
            while k < len(lines) and not lines[k].text:
                k += 1
            if k > i + 1 and k < len(lines) and indent(text[lines[k].start : lines[k].end], 8) > depth:
                end = _indented_run(text, lines, k, depth, 8)
                spans.append(_block(text, lines, k, end - 1))
                i = end
                continue
        i += 1
    return tuple(spans)


def org_code(text: str) -> tuple[Span, ...]:
    """`#+BEGIN_SRC` / `#+BEGIN_EXAMPLE` blocks to their `#+END_` line (both included; an unclosed one is
    no block), and runs of fixed-width `: ` lines."""
    lines = split_lines(text)
    spans: list[Span] = []
    i = 0
    while i < len(lines):
        raw = text[lines[i].start : lines[i].end]
        begin = _ORG_BEGIN.match(raw)
        if begin:
            closing = re.compile(rf"^[ \t]*#\+END_{begin.group(1)}\b", re.IGNORECASE)
            end = next((j for j in range(i + 1, len(lines)) if closing.match(lines[j].text)), None)
            if end is not None:
                spans.append(_block(text, lines, i, end))
                i = end + 1
                continue
        elif _ORG_FIXED_WIDTH.match(raw):
            end = i
            while end + 1 < len(lines) and _ORG_FIXED_WIDTH.match(text[lines[end + 1].start : lines[end + 1].end]):
                end += 1
            spans.append(_block(text, lines, i, end))
            i = end + 1
            continue
        i += 1
    return tuple(spans)


CODE_RULES: dict[str, Callable[[str], tuple[Span, ...]]] = {
    "text": plain_code,
    "markdown": markdown_code,
    "rst": rst_code,
    "org": org_code,
}
