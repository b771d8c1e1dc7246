"""The one abstain decision: the service, the extractive writer and eval's threshold sweep all call it.

Two tests of the evidence, both about the retrieved sources:
- strength: the best source's cosine with the question (weak everywhere: the notes are about something else);
- coverage: the share of the question's topic words that appear in the sources. A near-topic question
  ("how does mixture-of-experts routing work?") finds deep-learning passages with a fair cosine, yet its
  own topic words are nowhere in them.
"""

from __future__ import annotations

from collections.abc import Sequence

from core.settings import AnswerSettings
from core.text import content_words
from retrieval.retriever import Hit

STEM = 5  # words sharing their first five letters count as one ("normalize", "normalization")


def evidence_strength(sources: Sequence[Hit]) -> float:
    """The best cosine between the question and any source (note or code)."""
    return max((h.dense_score or 0.0 for h in sources), default=0.0)


def term_coverage(question: str, sources: Sequence[Hit]) -> float:
    """Share of the question's topic words found in the sources (1.0 when it has none)."""
    terms = {w[:STEM] for w in content_words(question)}
    if not terms:
        return 1.0
    found = {w[:STEM] for h in sources for w in content_words(h.text + " " + " ".join(h.breadcrumbs))}
    return len(terms & found) / len(terms)


def should_abstain(question: str, sources: Sequence[Hit], config: AnswerSettings) -> bool:
    """True when the notes do not cover the question: weak evidence, or its topic words are missing."""
    return (
        evidence_strength(sources) < config.abstain_threshold
        or term_coverage(question, sources) < config.min_term_coverage
    )
