"""A question's scope as a client names it ({doc} or {doc, start, end}, or "doc#Section" on the command
line), checked against the served index and turned into retrieval's ScopeSpans."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from retrieval.retriever import ScopeSpan
from service.study.outline import build_outline, find_section, section_spans


class ScopeError(ValueError):
    """A scope naming a document the index does not hold, or a span outside it."""


def resolve_scope(items: Sequence[dict[str, Any]], reader: Any) -> list[ScopeSpan] | None:
    """ScopeSpans for `items` (None when empty: the whole index); raises ScopeError on an unknown doc or span."""
    if not items:
        return None
    spans = []
    for item in items:
        doc, start, end = item["doc"], item.get("start"), item.get("end")
        text = reader.source_text(doc)
        if text is None:
            raise ScopeError(f"{doc!r} is not in the index; GET /api/documents lists them")
        if (start is None) != (end is None) or (start is not None and not 0 <= start < end <= len(text)):
            raise ScopeError(f"scope span of {doc!r} must satisfy 0 <= start < end <= {len(text)}; got {start}, {end}")
        spans.append(ScopeSpan(doc, start, end))
    return spans


def parse_scope_option(values: Sequence[str], reader: Any) -> list[ScopeSpan] | None:
    """`--in DOC` or `--in "DOC#Section title"` (a path "A > B" works too) as ScopeSpans; the same names
    serve /api/search?doc= and the MCP tools' `docs`."""
    items: list[dict[str, Any]] = []
    for value in values:
        doc, _, section = value.partition("#")
        if reader.source_text(value) is not None:  # a note named "C#.md" is a document, not a section of "C"
            doc, section = value, ""
        if reader.source_text(doc) is None:
            raise ScopeError(f"{doc!r} is not in the index")
        if not section:
            items.append({"doc": doc})
            continue
        _, entries = build_outline(section_spans(reader, doc))
        entry = find_section(entries, section)
        if entry is None:
            raise ScopeError(f"{doc!r} has no section titled {section!r}")
        items.append({"doc": doc, "start": entry.start, "end": entry.end})
    return resolve_scope(items, reader)
