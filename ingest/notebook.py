"""Jupyter notebooks (.ipynb): markdown and code cells in order, outputs dropped.

The text every span points into is the cells' sources joined by blank lines (what `/api/sources`
serves for the notebook); headings come from the markdown cells, found by the Markdown rule and moved
to where each cell sits in that text. A code cell is code as a whole; a markdown cell's code blocks are
found by the Markdown rule, like its headings.

nbformat 3 (IPython 1-3, still common in course material) keeps its cells in `worksheets[].cells`, a code
cell's text in `input`, and has heading cells (`level` 1-6, the title as plain text): read as the same.
"""

from __future__ import annotations

import json

from ingest.code_blocks import markdown_code
from ingest.errors import SkippedFile
from ingest.loaders import Heading, LoadedFile, decode_text
from ingest.markup import clean_title, markdown_markup
from ingest.schema import SourceDoc, sha256_bytes

CELL_TYPES = frozenset({"markdown", "code", "heading"})  # "heading": nbformat 3 only


def _source(cell: dict) -> str:
    source = cell.get("source", cell.get("input", ""))  # nbformat 3's code cells: "input"
    if isinstance(source, list):
        source = "".join(s for s in source if isinstance(s, str))
    return source.strip("\n") if isinstance(source, str) else ""


def _cells(notebook: object) -> list | None:
    """The cells in order: nbformat 4's `cells`, or those of nbformat 3's worksheets; None when neither."""
    if not isinstance(notebook, dict):
        return None
    if isinstance(notebook.get("cells"), list):
        return notebook["cells"]
    sheets = notebook.get("worksheets")
    if not isinstance(sheets, list):
        return None
    per_sheet = [sheet.get("cells") for sheet in sheets if isinstance(sheet, dict)]
    if not any(isinstance(cells, list) for cells in per_sheet):
        return None
    return [cell for cells in per_sheet if isinstance(cells, list) for cell in cells]


def load_notebook(doc: str, data: bytes) -> LoadedFile:
    raw, warnings = decode_text(data)
    try:
        notebook = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SkippedFile(f"unreadable notebook: {exc.msg} at line {exc.lineno}") from exc
    cells = _cells(notebook)
    if cells is None:
        raise SkippedFile("unreadable notebook: no list of cells (nbformat 4, or 3 with worksheets, expected)")
    pieces: list[str] = []
    headings: list[Heading] = []
    code: list[tuple[int, int]] = []
    context: list[tuple[int, int]] = []
    at = 0
    for cell in cells:
        if not isinstance(cell, dict) or cell.get("cell_type") not in CELL_TYPES:
            continue
        source = _source(cell)
        if not source.strip():
            continue
        if pieces:
            pieces.append("\n\n")
            at += 2
        if cell["cell_type"] == "heading":
            level = cell.get("level")
            level = min(max(level, 1), 6) if isinstance(level, int) and not isinstance(level, bool) else 1
            lead, title = len(source) - len(source.lstrip()), clean_title(source)
            if title:
                headings.append(Heading(level, title, at + lead, at + len(source.rstrip())))
        elif cell["cell_type"] == "markdown":
            markup = markdown_markup(source)
            headings.extend(Heading(h.level, h.title, h.start + at, h.end + at) for h in markup.headings)
            context.extend((s + at, e + at) for s, e in markup.context)  # a callout's "> [!note]", a link line
            code.extend((s + at, e + at) for s, e in markdown_code(source))
        else:
            code.append((at + len(source) - len(source.lstrip()), at + len(source.rstrip())))
        pieces.append(source)
        at += len(source)
    text = "".join(pieces)
    if not text.strip():
        raise SkippedFile("notebook has no markdown or code cells with text")
    source_doc = SourceDoc(doc, text, sha256_bytes(data), "note", warnings)
    return LoadedFile(source_doc, "ipynb", tuple(headings), code=tuple(code), context=tuple(context))
