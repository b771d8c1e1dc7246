"""The records ingestion produces and every other package reads.

A `SourceDoc` is one file as the loaders decoded it; a `Section` is a span of it that structure
inference found; nodes (sections and their passages) are llama-index `TextNode`s whose metadata is
described by `NodeMeta`.
The invariant everything else relies on: `node.text == source_doc.text[meta.start:meta.end]`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Literal, TypedDict

Kind = Literal["note", "code"]
Level = Literal["document", "section", "passage"]


@dataclass(frozen=True)
class SourceDoc:
    """One file of the corpus, decoded. `doc` is its posix path relative to the corpus root."""

    doc: str
    text: str
    sha256: str
    kind: Kind = "note"
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class Section:
    """A titled `[start, end)` span of a document's text; breadcrumbs run from the document down."""

    title: str
    breadcrumbs: tuple[str, ...]
    start: int
    end: int
    symbol: str | None = None  # code sections: qualified name of the function or class
    line_start: int | None = None  # code sections: 1-based, inclusive
    line_end: int | None = None
    # `[start, end)` spans of the titles, headings and flashcard question lines inside the section: they
    # stay in the text (they tell a reader, BM25 and the embedder what the section is about), but they
    # are context, never the answer a question is looking for.
    context: tuple[tuple[int, int], ...] = ()
    # `[start, end)` spans of the code blocks inside the section (a Markdown fence, a reST literal block, an
    # HTML <pre>, a notebook's code cell): text to read and search, never a sentence to quote. Unlike
    # `context` they play no part in cutting passages.
    code: tuple[tuple[int, int], ...] = ()
    # `[start, end)` spans of display formulas the quoting writer quotes whole (LaTeX's equation, align ...): a
    # passage bound inside one would leave a formula cut apart that neither passage quotes (`ingest.passages`)
    formulas: tuple[tuple[int, int], ...] = ()
    # `[start, end)` of the table rows inside the section, each one line of " | "-joined cells, where the loader
    # says which lines are rows (`LoadedFile.rows`: HTML, Word); None where the format does not say
    rows: tuple[tuple[int, int], ...] | None = None
    # `[start, start + 1)` of each "|" the loader wrote between two cells of a row (`LoadedFile.cell_breaks`);
    # None where the format marks no rows
    cell_breaks: tuple[tuple[int, int], ...] | None = None


class NodeMeta(TypedDict, total=False):
    """Metadata every TextNode carries (code nodes add symbol/line_start/line_end; notes add context_spans,
    and code_spans when they hold a code block)."""

    doc: str
    breadcrumbs: list[str]
    start: int
    end: int
    kind: Kind
    level: Level
    symbol: str
    line_start: int
    line_end: int
    context_spans: list[list[int]]  # Section.context inside [start, end), absolute; absent in older indexes
    code_spans: list[list[int]]  # Section.code inside [start, end), absolute; absent when none, and in older indexes
    row_spans: list[list[int]]  # Section.rows inside [start, end), absolute; absent where the loader marks no rows
    cell_break_spans: list[list[int]]  # Section.cell_breaks inside [start, end); absent as row_spans is, and in older


@dataclass(frozen=True)
class DocumentRecord:
    """What the index knows about one indexed file (GET /api/documents)."""

    doc: str
    sha256: str
    kind: Kind
    n_passages: int
    indexed_at: str  # ISO 8601, UTC
    warnings: tuple[str, ...] = field(default_factory=tuple)


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def node_id(doc: str, sha256: str, level: Level, start: int, end: int) -> str:
    """A stable id, so an unchanged file yields the same nodes on every ingest."""
    key = f"{doc}\0{sha256}\0{level}\0{start}\0{end}".encode()
    return hashlib.sha1(key).hexdigest()[:20]
