"""The abstain-threshold sweep on a hand-made set of best cosines."""

from __future__ import annotations

import pytest

from eval.threshold import choose, default_grid, sweep

# two answerable questions (cosines 0.6, 0.4) and two unanswerable ones (0.2, 0.45)
BEST = {"a1": 0.6, "a2": 0.4, "u1": 0.2, "u2": 0.45}
UNANSWERABLE = {"a1": False, "a2": False, "u1": True, "u2": True}


def below(threshold: float) -> dict[str, bool]:
    """The service's rule reduced to the best cosine (what these hand-made cases vary)."""
    return {q: cosine < threshold for q, cosine in BEST.items()}


CASES = [
    # threshold: abstained set -> (accuracy, false-abstain rate)
    (0.1, (2 / 4, 0 / 2)),  # abstains on nothing: right on a1, a2
    (0.3, (3 / 4, 0 / 2)),  # abstains on u1
    (0.42, (2 / 4, 1 / 2)),  # abstains on u1, a2
    (0.5, (3 / 4, 1 / 2)),  # abstains on u1, a2, u2
    (0.7, (2 / 4, 2 / 2)),  # abstains on everything
]


@pytest.mark.parametrize(("threshold", "expected"), CASES)
def test_sweep_rows(threshold: float, expected: tuple[float, float]) -> None:
    (row,) = sweep(below, UNANSWERABLE, [threshold])
    assert (row.abstention_accuracy, row.false_abstain_rate) == pytest.approx(expected)


def test_choose_prefers_accuracy_then_fewer_false_abstentions() -> None:
    rows = sweep(below, UNANSWERABLE, [t for t, _ in CASES])
    # 0.3 and 0.5 both reach 3/4; 0.3 refuses no answerable question
    assert choose(rows).threshold == 0.3


def test_default_grid() -> None:
    grid = default_grid(0.0, 0.1, 0.05)
    assert grid == [0.0, 0.05, 0.1]
    assert len(default_grid()) == 81
