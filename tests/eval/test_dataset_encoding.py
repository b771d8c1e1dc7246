"""A dataset over notes that are not UTF-8: its quotes are checked in the text ingest keeps."""

from __future__ import annotations

import json
from pathlib import Path

from eval.dataset import validate
from tests.eval.test_dataset import GOOD


def test_quotes_of_a_windows_1252_note_validate(tmp_path: Path) -> None:
    (tmp_path / "dessert.txt").write_bytes("Crème brûlée is a custard under hard caramel.\n".encode("cp1252"))
    row = {**GOOD, "relevant": [{"doc": "dessert.txt", "quote": "Crème brûlée is a custard"}]}
    (tmp_path / "ds.jsonl").write_text(json.dumps(row) + "\n")
    (question,) = validate(tmp_path / "ds.jsonl", tmp_path)
    assert question.relevant[0].quote == "Crème brûlée is a custard"
