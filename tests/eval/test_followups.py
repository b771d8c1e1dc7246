"""The follow-up conversation sets load, their gold quotes are in the notes, and bad lines are named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from eval.dataset import DatasetError
from eval.followups import LEANS_ON, last_turn_rewrite, load_followups, table

DATASETS = Path(__file__).resolve().parents[2] / "eval" / "datasets"
ROW = {
    "id": "c1-2",
    "conversation": "c1",
    "history": [{"role": "user", "content": "what is LoRA?"}],
    "question": "how is it merged?",
    "leans_on": "question",
    "kind": "fact",
    "reference_answer": "Add B x A to the frozen weights.",
    "relevant": [{"doc": "a.txt", "quote": "Add to original weights"}],
}


@pytest.mark.parametrize(("split", "at_least"), [("dev", 25), ("test", 20)])
def test_the_sets_validate_against_the_notes(notes_dir: Path, split: str, at_least: int) -> None:
    followups = load_followups(DATASETS / f"followups_{split}.jsonl", notes_dir)
    assert len(followups) >= at_least
    assert {f.leans_on for f in followups} == set(LEANS_ON)  # topic changes, answer pronouns, chains
    assert any(len([t for t in f.history if t["role"] == "user"]) >= 3 for f in followups)


def test_dev_and_test_share_no_conversation_or_question(notes_dir: Path) -> None:
    dev, test = (load_followups(DATASETS / f"followups_{s}.jsonl") for s in ("dev", "test"))
    assert not {f.conversation for f in dev} & {f.conversation for f in test}
    assert not {f.question.question for f in dev} & {f.question.question for f in test}


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"history": []}, "'history' must be a non-empty list"),
        ({"history": [{"role": "system", "content": "x"}]}, "history[0] must be"),
        ({"leans_on": "maybe"}, "'leans_on' must be one of"),
        ({"conversation": ""}, "'conversation' must be"),
        ({"relevant": []}, "needs at least one relevant quote"),
    ],
)
def test_a_bad_line_is_named(tmp_path: Path, change: dict, fragment: str) -> None:
    path = tmp_path / "f.jsonl"
    path.write_text(json.dumps({**ROW, **change}) + "\n", encoding="utf-8")
    with pytest.raises(DatasetError, match=r"f\.jsonl:1: ") as err:
        load_followups(path)
    assert fragment in str(err.value)


def test_a_quote_not_in_the_notes_is_named(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("1. Matrix multiply B x A\n2. Add to original weights (frozen + BxA)\n")
    path = tmp_path / "f.jsonl"
    path.write_text(
        json.dumps(ROW)
        + "\n"
        + json.dumps({**ROW, "id": "c1-3", "relevant": [{"doc": "a.txt", "quote": "Subtract"}]})
        + "\n",
        encoding="utf-8",
    )
    with pytest.raises(DatasetError, match=r"f\.jsonl:2: c1-3: relevant\[0\] quote is not"):
        load_followups(path, tmp_path)


def test_the_baseline_is_the_old_rule() -> None:
    """The rule the service had: the whole last user turn prefixed, by its start words or a pronoun."""
    history = [{"role": "user", "content": "What does ReLU stand for?"}]
    assert last_turn_rewrite("so what is gradient boosting?", history) == (
        "What does ReLU stand for? so what is gradient boosting?"
    )
    assert last_turn_rewrite("what is gradient boosting?", history) == "what is gradient boosting?"


def test_table_has_a_row_per_rewrite() -> None:
    scores = {"all": {"n": 2, "mrr@10": 0.75, "recall@5": 1.0}, "answers": {"gold_cited": 0.5}}
    text = table({"rewrites": {"alone": {"scores": scores}}})
    assert "| alone | 0.750 / 1.000 (n=2) | - | - | - | - | 0.500 |" in text
