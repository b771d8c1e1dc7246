"""The span primitives every structure rule shares: lines with their spans, trimmed spans, and the
`DocStructure` a rule returns.

Kept apart from the rules themselves so plain-text inference (`ingest.plaintext`, `ingest.toc`) and
declared structure (`ingest.structure`) build sections the same way without importing each other.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from ingest.schema import Section

Span = tuple[int, int]


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


def line_span(text: str, line: Line) -> Span:
    """The line's content span (a context span names characters, not the indentation around them)."""
    return trim_span(text, line.start, line.end)


def clip_spans(spans: Iterable[Span], start: int, end: int) -> tuple[Span, ...]:
    """The parts of `spans` inside `[start, end)`, sorted, empty pieces dropped."""
    clipped = {(max(s, start), min(e, end)) for s, e in spans}
    return tuple(sorted((s, e) for s, e in clipped if s < e))


def with_span(section: Section, start: int, end: int, extra: Iterable[Span] = ()) -> Section:
    """`section` moved to `[start, end)`, its context (plus `extra`) kept where it still falls inside."""
    return replace(section, start=start, end=end, context=clip_spans([*section.context, *extra], start, end))


def join_bare_headings(text: str, sections: list[Section]) -> list[Section]:
    """A heading with no text of its own ("# Title" then "## First") opens the next section instead.

    The bare heading's span becomes context of the section it joins: it still says what follows.
    """
    out: list[Section] = []
    pending: Section | None = None
    for section in sections:
        start = section.start if pending is None else pending.start
        carried = pending.context if pending is not None else ()
        pending = None
        body = text[section.start : section.end]
        bare = "\n" not in body and body.endswith(section.title) or _only_context(text, section)
        if bare and section is not sections[-1]:
            pending = with_span(section, start, section.end, carried)
            continue
        out.append(with_span(section, start, section.end, carried))
    return out


def _only_context(text: str, section: Section) -> bool:
    """Nothing but context (an underlined title, a directive line) between the section's bounds."""
    pos = section.start
    for s, e in sorted(section.context):
        if text[pos:s].strip():
            return False
        pos = max(pos, e)
    return bool(section.context) and not text[pos : section.end].strip()
