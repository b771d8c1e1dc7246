"""ragas's non-LLM metrics through our wrapper, on cases small enough to score by hand."""

from __future__ import annotations

import pytest

from eval.ragas_metrics import RagasInput, ragas_scores


def test_context_metrics_by_hand() -> None:
    samples = {
        # retrieved: a miss then an exact match -> verdicts [0, 1]; average precision = (1/2 * 1) / 1 = 0.5;
        # recall: gold "abc def" found, gold "qqq qqq qqq" not (Levenshtein similarity < 0.5) -> 1/2
        "q1": RagasInput(["xyz", "abc def"], ["abc def", "qqq qqq qqq"]),
        # exact match at rank 1 -> precision 1, recall 1
        "q2": RagasInput(["abc def", "xyz"], ["abc def"]),
        # no gold contexts (unanswerable): left out of both means
        "q3": RagasInput(["xyz"], []),
    }
    scores = ragas_scores(samples)
    assert scores["context_precision"] == pytest.approx((0.5 + 1.0) / 2)
    assert scores["context_recall"] == pytest.approx((0.5 + 1.0) / 2)
    assert scores["bleu"] is None and scores["rougeL"] is None


def test_text_metrics_by_hand() -> None:
    # BLEU "a b c d" vs "a b c d e": all n-gram precisions 1, brevity penalty exp(1 - 5/4) = 0.7788
    # ROUGE-L "the cat sat" vs "the cat ran": LCS 2 of 3 -> 2/3; averaged over the two answers
    samples = {
        "q1": RagasInput(["x"], ["x"], response="a b c d", reference="a b c d e"),
        "q2": RagasInput(["x"], ["x"], response="the cat sat", reference="the cat ran"),
    }
    scores = ragas_scores(samples)
    # q2's BLEU is 0: no 3-gram or 4-gram matches
    assert scores["bleu"] == pytest.approx((0.7788008 + 0.0) / 2, abs=1e-4)
    rouge_q1 = 2 * (4 / 4) * (4 / 5) / (4 / 4 + 4 / 5)  # LCS 4: precision 4/4, recall 4/5 -> F 8/9
    assert scores["rougeL"] == pytest.approx((rouge_q1 + 2 / 3) / 2)
