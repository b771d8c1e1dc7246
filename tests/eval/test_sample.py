"""Which questions a quick run answers: kinds take turns, dataset order is kept."""

from __future__ import annotations

import pytest

from eval.dataset import GoldQuote, Question
from eval.runner import sample_by_kind

KINDS = ["fact", "fact", "fact", "code", "unanswerable", "code", "fact"]
QUESTIONS = [
    Question(f"q{i}", "?", kind, "a", () if kind == "unanswerable" else (GoldQuote("d", "x"),))  # type: ignore[arg-type]
    for i, kind in enumerate(KINDS)
]

CASES = [
    (0, ["q0", "q1", "q2", "q3", "q4", "q5", "q6"]),  # 0 means all
    (3, ["q0", "q3", "q4"]),  # turns: fact q0, code q3, unanswerable q4
    (5, ["q0", "q1", "q3", "q4", "q5"]),  # then fact q1, code q5
    (99, ["q0", "q1", "q2", "q3", "q4", "q5", "q6"]),
]


@pytest.mark.parametrize(("n", "expected"), CASES)
def test_sample_by_kind(n: int, expected: list[str]) -> None:
    assert [q.id for q in sample_by_kind(QUESTIONS, n)] == expected
