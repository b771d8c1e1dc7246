"""Pick the service's abstain threshold on a dev set.

The service abstains by service.abstain.should_abstain (best source cosine below a threshold, or too few of
the question's topic words in the sources). Sweeping the threshold over the dev set with that same rule
trades wrong answers to unanswerable questions against refusals of answerable ones; the chosen value is the
most accurate one, ties going to fewer false abstentions and then to the lower threshold.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from eval.metrics import abstention_accuracy, false_abstain_rate


@dataclass(frozen=True)
class ThresholdRow:
    threshold: float
    abstention_accuracy: float
    false_abstain_rate: float


def sweep(
    abstained_at: Callable[[float], Mapping[str, bool]], unanswerable: Mapping[str, bool], thresholds: Sequence[float]
) -> list[ThresholdRow]:
    """Abstention accuracy and false-abstain rate if the service abstained by its rule at each threshold."""
    rows = []
    for t in thresholds:
        abstained = abstained_at(t)
        rows.append(
            ThresholdRow(t, abstention_accuracy(abstained, unanswerable), false_abstain_rate(abstained, unanswerable))
        )
    return rows


def choose(rows: Sequence[ThresholdRow]) -> ThresholdRow:
    return min(rows, key=lambda r: (-r.abstention_accuracy, r.false_abstain_rate, r.threshold))


def default_grid(lo: float = 0.0, hi: float = 0.8, step: float = 0.01) -> list[float]:
    n = round((hi - lo) / step)
    return [round(lo + i * step, 4) for i in range(n + 1)]
