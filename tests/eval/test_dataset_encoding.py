"""A dataset over notes that are not UTF-8: its quotes are checked in the text ingest keeps."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dataset import DatasetError, validate
from tests.eval.test_dataset import GOOD


def test_quotes_of_a_windows_1252_note_validate(tmp_path: Path) -> None:
    (tmp_path / "dessert.txt").write_bytes("Crème brûlée is a custard under hard caramel.\n".encode("cp1252"))
    row = {**GOOD, "relevant": [{"doc": "dessert.txt", "quote": "Crème brûlée is a custard"}]}
    (tmp_path / "ds.jsonl").write_text(json.dumps(row) + "\n")
    (question,) = validate(tmp_path / "ds.jsonl", tmp_path)
    assert question.relevant[0].quote == "Crème brûlée is a custard"


def test_quotes_of_an_html_page_are_checked_in_its_text_not_its_markup(tmp_path: Path) -> None:
    """Scoring finds a quote in the text the store keeps, which for HTML is the page's text: a sentence with inline
    markup or a wrapped source line is a quote there, and the markup itself is none."""
    page = "<html><body><h1>Sorting</h1><p>Use <code>sorted()</code> to get a\nnew sorted list.</p></body></html>\n"
    (tmp_path / "sort.html").write_text(page)
    row = {**GOOD, "relevant": [{"doc": "sort.html", "quote": "Use sorted() to get a new sorted list."}]}
    (tmp_path / "ds.jsonl").write_text(json.dumps(row) + "\n")
    (question,) = validate(tmp_path / "ds.jsonl", tmp_path)
    assert question.relevant[0].doc == "sort.html"
    bad = {**GOOD, "relevant": [{"doc": "sort.html", "quote": "<code>sorted()</code>"}]}
    (tmp_path / "bad.jsonl").write_text(json.dumps(bad) + "\n")
    with pytest.raises(DatasetError, match="not an exact substring"):
        validate(tmp_path / "bad.jsonl", tmp_path)
