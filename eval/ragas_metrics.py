"""ragas's own non-LLM metrics, computed through ragas so our numbers can be compared with others'.

ragas judges contexts by Levenshtein similarity of whole strings (threshold 0.5), so a long retrieved
section scores low against a one-sentence gold quote even when it contains it: these numbers reward
tight chunks, unlike the span-overlap metrics in eval.metrics. Its BleuScore splits on ". " and scores
each answer on its own, so it differs from the corpus BLEU in eval.metrics too. No LLM is called.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

os.environ.setdefault("RAGAS_DO_NOT_TRACK", "true")  # ragas would otherwise try to send usage events


@dataclass(frozen=True)
class RagasInput:
    """One question's sample: retrieved and gold contexts, and optionally an answer and its reference."""

    retrieved_contexts: Sequence[str]
    reference_contexts: Sequence[str]
    response: str | None = None
    reference: str | None = None


@lru_cache(maxsize=1)
def _metrics() -> dict[str, Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # these classes moved to a deprecated path in 0.4 but still work
        import ragas.metrics as rm

        return {
            "context_precision": rm.NonLLMContextPrecisionWithReference(),
            "context_recall": rm.NonLLMContextRecall(),
            "bleu": rm.BleuScore(),
            "rougeL": rm.RougeScore(rouge_type="rougeL"),
        }


def _score(metric: Any, **fields: Any) -> float:
    from ragas import SingleTurnSample

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return float(metric.single_turn_score(SingleTurnSample(**fields)))


def _mean(values: list[float]) -> float | None:
    return sum(values) / len(values) if values else None


def ragas_scores(samples: Mapping[str, RagasInput]) -> dict[str, float | None]:
    """Means over questions: context metrics where gold contexts exist, text metrics where answers exist."""
    metrics = _metrics()
    contexts = [s for s in samples.values() if s.reference_contexts and s.retrieved_contexts]
    answered = [s for s in samples.values() if s.response is not None and s.reference is not None]
    out: dict[str, float | None] = {}
    for name in ("context_precision", "context_recall"):
        out[name] = _mean(
            [
                _score(
                    metrics[name],
                    retrieved_contexts=list(s.retrieved_contexts),
                    reference_contexts=list(s.reference_contexts),
                )
                for s in contexts
            ]
        )
    for name in ("bleu", "rougeL"):
        out[name] = _mean([_score(metrics[name], response=s.response, reference=s.reference) for s in answered])
    return out
