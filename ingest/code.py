"""The code corpus: a Python module is a section; its functions and classes are the leaves.

Spans come from `ast` line numbers (decorators and docstrings included) so a citation can show
`path:line_start-line_end`. A class too long to embed as one passage is split into its methods
(plus the class header), each a leaf named `Class.method`.
"""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from llama_index.core.schema import TextNode

from ingest.passages import PassageParams, link, make_node, passage_spans
from ingest.schema import Section, SourceDoc
from ingest.structure import trim_span

LARGE_CLASS_LINES = 80
_DEFS = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)


class _Lines:
    """Character offsets of line starts, for turning ast line numbers into text spans."""

    def __init__(self, text: str) -> None:
        self.starts = [0]
        for i, ch in enumerate(text):
            if ch == "\n":
                self.starts.append(i + 1)
        self.length = len(text)

    def span(self, first: int, last: int) -> tuple[int, int]:
        """`[start, end)` of 1-based lines first..last inclusive."""
        end = self.starts[last] if last < len(self.starts) else self.length
        return self.starts[first - 1], end


def first_line(node: ast.AST) -> int:
    """A definition starts at its first decorator, not at `def`."""
    decorators = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])  # type: ignore[attr-defined]


def has_code(text: str) -> bool:
    """False for modules with nothing to cite (an `__init__.py` of imports, say)."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return bool(text.strip())
    return any(isinstance(node, _DEFS) for node in tree.body)


def is_test_file(doc: str) -> bool:
    path = PurePosixPath(doc)
    return (
        path.name.startswith("test_")
        or path.name.endswith("_test.py")
        or path.name == "conftest.py"
        or "tests" in path.parts[:-1]
    )


def _symbols(tree: ast.Module) -> list[tuple[str, ast.AST, int, int]]:
    """(qualified name, node, first line, last line) of each leaf definition."""
    out: list[tuple[str, ast.AST, int, int]] = []
    for node in tree.body:
        if not isinstance(node, _DEFS):
            continue
        first, last = first_line(node), node.end_lineno or node.lineno
        methods = [n for n in node.body if isinstance(n, _DEFS)] if isinstance(node, ast.ClassDef) else []
        if not methods or last - first + 1 <= LARGE_CLASS_LINES:
            out.append((node.name, node, first, last))
            continue
        header_last = first_line(methods[0]) - 1
        out.append((node.name, node, first, header_last))
        for method in methods:
            out.append((f"{node.name}.{method.name}", method, first_line(method), method.end_lineno or method.lineno))
    return out


def code_nodes(source: SourceDoc, params: PassageParams | None = None) -> list[TextNode]:
    """The module node followed by one leaf per function/class (or sentence passages for a script)."""
    text = source.text
    start, end = trim_span(text, 0, len(text))
    if end <= start:
        return []
    module = Section(source.doc, (source.doc,), start, end)
    parent = make_node(source, module, "section", start, end, kind="code")
    try:
        tree = ast.parse(text)
    except SyntaxError:
        tree = None
    lines = _Lines(text)
    children: list[TextNode] = []
    for symbol, _, first, last in _symbols(tree) if tree else []:
        s, e = trim_span(text, *lines.span(first, last))
        if e <= s:
            continue
        section = Section(
            symbol,
            (source.doc, *symbol.split(".")),
            s,
            e,
            symbol=symbol,
            line_start=text.count("\n", 0, s) + 1,
            line_end=text.count("\n", 0, e) + 1,
        )
        children.append(make_node(source, section, "passage", s, e, kind="code"))
    if not children:  # a script with no definitions: plain passages, still kind "code"
        for s, e in passage_spans(text, start, end, params or PassageParams()):
            piece = Section(
                source.doc,
                module.breadcrumbs,
                s,
                e,
                line_start=text.count("\n", 0, s) + 1,
                line_end=text.count("\n", 0, e) + 1,
            )
            children.append(make_node(source, piece, "passage", s, e, kind="code"))
    link(parent, children)
    return [parent, *children]
