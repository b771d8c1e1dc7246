"""BLEU against sacrebleu and ROUGE against rouge-score, on whitespace-tokenized lowercase text."""

from __future__ import annotations

import pytest
from rouge_score import rouge_scorer
from sacrebleu.metrics import BLEU

from reference.text_metrics import corpus_bleu, rouge_l, rouge_n, sentence_bleu

# Each case: hypotheses, and for every hypothesis the same number of references.
BLEU_CASES = [
    pytest.param(  # the notes' example: every n-gram order has a match
        ["the cat the cat on the mat"],
        [["the cat is on the mat", "there is a cat on the mat"]],
        id="notes-example",
    ),
    pytest.param(  # shorter than the references: brevity penalty below 1
        ["the quick brown fox jumps over", "a stitch in time saves nine lives"],
        [
            ["the quick brown fox jumps over the lazy dog", "a quick brown fox leaps over a dog"],
            ["a stitch in time saves nine", "one stitch in time saves nine stitches"],
        ],
        id="brevity-penalty",
    ),
    pytest.param(  # longer than the references, repeated words clipped
        ["the the cat sat on the mat on the mat today again", "we love deep learning and we love notes"],
        [["the cat sat on the mat"], ["we love deep learning"]],
        id="long-clipped",
    ),
    pytest.param(  # no 4-gram matches anywhere: BLEU is 0 without smoothing
        ["cat the mat on sat", "learning deep love we"],
        [["the cat sat on the mat"], ["we love deep learning"]],
        id="zero-4gram",
    ),
    pytest.param(  # a tie in closest reference length picks the shorter one
        ["one two three four five six"],
        [["one two three four five", "one two three four five six seven"]],
        id="ref-length-tie",
    ),
]


def _sacrebleu(hypotheses: list[str], references: list[list[str]]) -> object:
    """sacrebleu with whitespace tokens and no smoothing, the same formula as the notes."""
    streams = [list(stream) for stream in zip(*references, strict=True)]
    return BLEU(tokenize="none", smooth_method="none", force=True).corpus_score(hypotheses, streams)


@pytest.mark.parametrize(("hypotheses", "references"), BLEU_CASES)
def test_corpus_bleu_matches_sacrebleu(hypotheses: list[str], references: list[list[str]]) -> None:
    expected = _sacrebleu(hypotheses, references)
    ours = corpus_bleu([h.split() for h in hypotheses], [[r.split() for r in refs] for refs in references])
    assert ours.score * 100 == pytest.approx(expected.score, abs=1e-9)
    assert [p * 100 for p in ours.precisions] == pytest.approx(expected.precisions, abs=1e-9)
    assert ours.brevity_penalty == pytest.approx(expected.bp, abs=1e-12)
    assert (ours.hyp_len, ours.ref_len) == (expected.sys_len, expected.ref_len)


@pytest.mark.parametrize(("hypotheses", "references"), BLEU_CASES)
def test_sentence_bleu_matches_sacrebleu(hypotheses: list[str], references: list[list[str]]) -> None:
    scorer = BLEU(tokenize="none", smooth_method="none", effective_order=False)
    for hyp, refs in zip(hypotheses, references, strict=True):
        ours = sentence_bleu(hyp.split(), [r.split() for r in refs])
        assert ours.score * 100 == pytest.approx(scorer.sentence_score(hyp, refs).score, abs=1e-9)


def test_clipping_example_from_the_notes() -> None:
    # "the" x7 against "the cat is on the mat": "the" appears twice in the reference, so 2/7.
    ours = corpus_bleu([["the"] * 7], [[["the", "cat", "is", "on", "the", "mat"]]], max_n=1)
    assert ours.precisions == [pytest.approx(2 / 7)]


ROUGE_CASES = [
    ("the cat sat on the mat", "the cat lay on a mat"),
    ("police killed the gunman", "police kill the gunman"),
    ("the gunman was shot down by police", "police killed the gunman"),
    ("a b c d e f g", "g f e d c b a"),
    ("deep learning notes cover beam search and bleu", "beam search and bleu are covered in the notes"),
    ("the the the cat", "the cat the the the"),
    ("completely different words", "nothing in common here"),
    ("one", "one"),
]


@pytest.mark.parametrize(("reference", "prediction"), ROUGE_CASES)
def test_rouge_matches_rouge_score(reference: str, prediction: str) -> None:
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=False)
    expected = scorer.score(reference, prediction)
    ref, pred = reference.split(), prediction.split()
    for name, ours in [
        ("rouge1", rouge_n(ref, pred, 1)),
        ("rouge2", rouge_n(ref, pred, 2)),
        ("rougeL", rouge_l(ref, pred)),
    ]:
        want = expected[name]
        assert (ours.precision, ours.recall, ours.fmeasure) == pytest.approx(
            (want.precision, want.recall, want.fmeasure), abs=1e-12
        ), name
