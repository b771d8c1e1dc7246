"""A document's outline: the section tree ingest inferred, rebuilt from the sections' breadcrumbs.

Ingest stores sections flat (each with its breadcrumbs, title first); the tree is their common prefixes.
A heading that only groups others ("Backpropagation" above "Matrix Multiplication") has no node of its
own, so its span is the union of its children's: every outline entry still opens an exact span.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Protocol


class SectionReader(Protocol):
    """The part of ingest's IndexReader an outline reads."""

    def node_ids(self, doc: str | None = None) -> list[str]: ...
    def get_nodes(self, ids: list[str]) -> list[Any]: ...
    def source_text(self, doc: str) -> str | None: ...


@dataclass
class OutlineEntry:
    title: str
    start: int
    end: int
    path: list[str]  # breadcrumbs below the document title, this entry's title last
    children: list[OutlineEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class SectionSpan:
    """One section node as stored: breadcrumbs (document title first), span, context spans."""

    breadcrumbs: tuple[str, ...]
    start: int
    end: int
    context: tuple[tuple[int, int], ...]


def section_spans(reader: SectionReader, doc: str) -> list[SectionSpan]:
    """The document's section nodes in document order (code documents: their symbols)."""
    nodes = reader.get_nodes(reader.node_ids(doc))
    out = []
    for node in nodes:
        meta = node.metadata
        if meta.get("level") != "section":
            continue
        context = tuple((int(s), int(e)) for s, e in meta.get("context_spans", []))
        out.append(SectionSpan(tuple(meta.get("breadcrumbs", [])), int(meta["start"]), int(meta["end"]), context))
    return sorted(out, key=lambda s: (s.start, -s.end))


def build_outline(sections: list[SectionSpan]) -> tuple[str, list[OutlineEntry]]:
    """(document title, top-level entries); nested entries follow the breadcrumbs."""
    title = sections[0].breadcrumbs[0] if sections and sections[0].breadcrumbs else ""
    root = OutlineEntry(title, 0, 0, [])
    index: dict[tuple[str, ...], OutlineEntry] = {(): root}
    for section in sections:
        path = tuple(section.breadcrumbs[1:]) or ((title,) if title else ())
        for depth in range(1, len(path) + 1):
            key = path[:depth]
            entry = index.get(key)
            if entry is None:
                entry = OutlineEntry(key[-1], section.start, section.end, list(key))
                index[key[:-1]].children.append(entry)
                index[key] = entry
            entry.start = min(entry.start, section.start)
            entry.end = max(entry.end, section.end)
    return title, root.children


def find_section(entries: list[OutlineEntry], title: str) -> OutlineEntry | None:
    """The first entry (depth first) whose title or path matches `title` ("A > B" names a path)."""
    wanted = [part.strip().lower() for part in title.split(">")]
    for entry in entries:
        path = [p.lower() for p in entry.path]
        if path[-len(wanted) :] == wanted:
            return entry
        found = find_section(entry.children, title)
        if found is not None:
            return found
    return None
