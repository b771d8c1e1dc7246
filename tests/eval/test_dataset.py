"""The dataset loader/validator, and the committed dev set itself."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from eval.dataset import DatasetError, load_dataset, validate

DEV_SET = Path(__file__).resolve().parents[2] / "eval" / "datasets" / "notes_dev.jsonl"

GOOD = {
    "id": "a",
    "question": "what is x?",
    "kind": "fact",
    "reference_answer": "x is y.",
    "relevant": [{"doc": "n.txt", "quote": "x is y"}],
}


def _write(tmp_path: Path, rows: list[object]) -> Path:
    path = tmp_path / "ds.jsonl"
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in rows) + "\n")
    return path


@pytest.fixture
def notes(tmp_path: Path) -> Path:
    d = tmp_path / "notes"
    d.mkdir()
    (d / "n.txt").write_text("Intro. x is y, and z is w.\n")
    return d


BAD_CASES = [
    # (second line of the file, fragment the error must contain)
    ("{not json", "not valid JSON"),
    ({**GOOD, "id": "b", "kind": "opinion"}, "kind 'opinion'"),
    ({**GOOD, "id": "b", "question": ""}, "'question'"),
    ({**GOOD, "id": "a"}, "already used on line 1"),
    ({**GOOD, "id": "b", "relevant": []}, "needs at least one relevant quote"),
    ({**GOOD, "id": "b", "kind": "unanswerable"}, "must have no relevant quotes"),
    ({**GOOD, "id": "b", "kind": "code"}, "needs code_keywords"),
    ({**GOOD, "id": "b", "relevant": [{"doc": "n.txt"}]}, "relevant[0]"),
]


@pytest.mark.parametrize(("row", "fragment"), BAD_CASES)
def test_malformed_line_is_named(tmp_path: Path, row: object, fragment: str) -> None:
    path = _write(tmp_path, [GOOD, row])
    with pytest.raises(DatasetError) as err:
        load_dataset(path)
    assert f"{path}:2:" in str(err.value)
    assert fragment in str(err.value)


QUOTE_CASES = [
    ({"doc": "n.txt", "quote": "x is  y"}, "not an exact substring of n.txt"),
    ({"doc": "missing.txt", "quote": "x is y"}, "not in"),
]


@pytest.mark.parametrize(("gold", "fragment"), QUOTE_CASES)
def test_bad_quote_names_line(tmp_path: Path, notes: Path, gold: dict, fragment: str) -> None:
    path = _write(tmp_path, [GOOD, {**GOOD, "id": "b", "relevant": [gold]}])
    with pytest.raises(DatasetError) as err:
        validate(path, notes)
    assert f"{path}:3:" not in str(err.value)
    assert f"{path}:2: b: relevant[0]" in str(err.value)
    assert fragment in str(err.value)


def test_valid_dataset_loads(tmp_path: Path, notes: Path) -> None:
    code = {**GOOD, "id": "c", "kind": "code", "code_keywords": ["Adam"]}
    path = _write(tmp_path, [GOOD, "", code])
    questions = validate(path, notes)
    assert [q.id for q in questions] == ["a", "c"]
    assert [q.line for q in questions] == [1, 3]
    assert questions[1].code_keywords == ("adam",)


def test_dev_set_validates_against_the_notes(notes_dir: Path) -> None:
    questions = validate(DEV_SET, notes_dir)
    kinds = Counter(q.kind for q in questions)
    assert len(questions) >= 60
    assert kinds["code"] >= 8 and kinds["unanswerable"] >= 8
    docs = {g.doc for q in questions for g in q.relevant}
    assert docs == {p.name for p in notes_dir.iterdir() if p.is_file()}
    assert all(q.relevant for q in questions if q.kind == "code")
