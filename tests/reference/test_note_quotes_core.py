"""Every docstring "Notes:" line in these modules quotes its note verbatim, so a citation never lies."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

REFERENCE_DIR = Path(__file__).resolve().parents[2] / "reference"
MODULES = [
    "attention",
    "positional",
    "lora",
    "patches",
    "autodiff",
    "optimizers",
    "schedules",
    "normalization",
    "losses",
    "activations",
    "conv",
    "dropout",
    "rnn",
    "mlp",
]
# Notes: 003 "Section title" — "a short phrase quoted from that note"
NOTES_LINE = re.compile(r'Notes: (\d{3}) "([^"]+)" — "([^"]+)"')


def squash(text: str) -> str:
    return " ".join(text.split())


def public_docstrings(module: str, *, top_level: bool = False) -> dict[str, str]:
    tree = ast.parse((REFERENCE_DIR / f"{module}.py").read_text(encoding="utf-8"))
    docs = {}
    for node in tree.body if top_level else ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.ClassDef) and not node.name.startswith("_"):
            docs[node.name] = ast.get_docstring(node) or ""
    return docs


@pytest.mark.parametrize("module", MODULES)
def test_every_function_and_class_cites_a_note(module: str) -> None:
    """Each one is shown alone as a cited snippet, so each names the passage it implements."""
    docs = public_docstrings(module, top_level=True)
    uncited = [name for name, doc in docs.items() if not NOTES_LINE.search(squash(doc))]
    assert docs and not uncited, f"reference/{module}.py: no note cited by {uncited}"


@pytest.mark.parametrize("module", MODULES)
def test_quotes_are_verbatim(module: str, notes_dir: Path) -> None:
    for name, doc in public_docstrings(module).items():
        for number, section, quote in NOTES_LINE.findall(squash(doc)):
            (note,) = notes_dir.glob(f"{number}_*.txt")
            text = squash(note.read_text(encoding="utf-8"))
            assert section in text, f"{module}.{name}: section {section!r} not in note {number}"
            assert quote in text, f"{module}.{name}: quote {quote!r} not in note {number}"
