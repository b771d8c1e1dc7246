"""Metrics on hand-computed cases; each expected value is derived in the comment beside it."""

from __future__ import annotations

import math

import pytest

from eval import metrics as m
from eval.metrics import Span

E = frozenset()  # a hit that covers no gold quote


def fs(*i: int) -> frozenset[int]:
    return frozenset(i)


@pytest.mark.parametrize(
    ("text", "quote", "expected"),
    [
        ("abcabc", "bc", [(1, 3), (4, 6)]),  # two occurrences
        ("aaa", "aa", [(0, 2), (1, 3)]),  # overlapping occurrences are all found
        ("abc", "x", []),
    ],
)
def test_quote_spans(text: str, quote: str, expected: list[tuple[int, int]]) -> None:
    assert m.quote_spans(text, quote) == expected


GOLD = Span("d", 10, 20)  # 10 characters


@pytest.mark.parametrize(
    ("hit", "expected"),
    [
        (Span("d", 0, 15), True),  # overlap [10,15) = 5 = half of 10
        (Span("d", 0, 14), False),  # overlap 4 < 5
        (Span("d", 12, 30), True),  # overlap [12,20) = 8
        (Span("e", 10, 20), False),  # same range, other doc
        (Span("d", 20, 40), False),  # touches the end, shares nothing
    ],
)
def test_covers_needs_half_the_quote(hit: Span, expected: bool) -> None:
    assert m.covers(hit, GOLD) is expected


def test_covered_quotes_uses_any_occurrence() -> None:
    gold = [[Span("d", 0, 10), Span("d", 100, 110)], [Span("d", 50, 60)]]
    # [95, 120) covers quote 0's second occurrence fully and misses quote 1
    assert m.covered_quotes(Span("d", 95, 120), gold) == fs(0)
    assert m.covered_quotes(Span("d", 0, 60), gold) == fs(0, 1)


# q1: relevant at ranks 2 (quote 0) and 4 (quote 1), 2 gold quotes; q2: relevant at 1, 1 quote; q3: none
RANKED = {"q1": [E, fs(0), E, fs(1)], "q2": [fs(0)], "q3": [E, E]}
N_GOLD = {"q1": 2, "q2": 1, "q3": 1}
LENGTHS = {"q1": [100, 200, 300, 400], "q2": [70], "q3": [50, 60]}


def test_mrr() -> None:
    # (1/2 + 1/1 + 0) / 3 = 0.5
    assert m.mrr_at_k(RANKED, 10) == pytest.approx(0.5)
    # at k=1 only q2 counts: 1/3
    assert m.mrr_at_k(RANKED, 1) == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("k", "expected"),
    [
        (1, (0 / 2 + 1 + 0) / 3),  # q1 has nothing at rank 1
        (2, (1 / 2 + 1 + 0) / 3),  # q1 found quote 0 at rank 2
        (5, (2 / 2 + 1 + 0) / 3),  # q1 found both
    ],
)
def test_recall(k: int, expected: float) -> None:
    assert m.recall_at_k(RANKED, N_GOLD, k) == pytest.approx(expected)


def test_ndcg() -> None:
    # q1: DCG = 1/log2(3) + 1/log2(5) = 0.63093 + 0.43068 = 1.06161; IDCG = 1 + 0.63093 = 1.63093
    #     -> 0.65093; q2: 1; q3: 0; mean = 1.65093 / 3 = 0.55031
    q1 = (1 / math.log2(3) + 1 / math.log2(5)) / (1 + 1 / math.log2(3))
    assert q1 == pytest.approx(0.65093, abs=1e-5)
    assert m.ndcg_at_k(RANKED, N_GOLD, 10) == pytest.approx((q1 + 1) / 3)


def test_ndcg_does_not_count_a_quote_twice() -> None:
    # a passage and the section merged from it both cover quote 0: only the first gains, nDCG = 1, not 1.63
    assert m.ndcg_at_k({"q": [fs(0), fs(0)]}, {"q": 1}, 10) == pytest.approx(1.0)


@pytest.mark.parametrize(
    ("qid", "expected"),
    [
        ("q1", 300),  # 100 + 200, first relevant at rank 2
        ("q2", 70),  # first hit relevant
        ("q3", 110),  # none relevant: all hits, 50 + 60
    ],
)
def test_reading_cost(qid: str, expected: int) -> None:
    assert m.reading_cost(RANKED[qid], LENGTHS[qid]) == expected


def test_median_reading_cost_and_summary() -> None:
    # median of 300, 70, 110 = 110
    summary = m.retrieval_summary(RANKED, N_GOLD, LENGTHS)
    assert summary["reading_cost_median"] == 110
    assert set(summary) == {"mrr@10", "ndcg@10", "recall@1", "recall@5", "recall@10", "reading_cost_median"}


def test_bleu_hand_computed() -> None:
    # hyp "a b c d" vs ref "a b c d e": every n-gram precision is 1 (4/4, 3/3, 2/2, 1/1);
    # brevity penalty exp(1 - 5/4) = exp(-0.25) = 0.7788
    assert m.bleu({"q": "a b c d"}, {"q": "a b c d e"}) == pytest.approx(math.exp(-0.25), abs=1e-4)
    assert m.bleu({"q": "x y z w"}, {"q": "a b c d"}) == pytest.approx(0.0)


def test_rouge_hand_computed() -> None:
    # "the cat sat" vs "the cat ran": unigrams 2/3 both ways -> F 2/3; bigrams {the cat} of 2 -> 1/2;
    # LCS "the cat" = 2 of 3 -> 2/3
    scores = m.rouge({"q": "the cat sat"}, {"q": "the cat ran"})
    assert scores["rouge1"] == pytest.approx(2 / 3)
    assert scores["rouge2"] == pytest.approx(1 / 2)
    assert scores["rougeL"] == pytest.approx(2 / 3)


def test_abstention() -> None:
    abstained = {"a": True, "b": False, "c": True, "d": False}
    unanswerable = {"a": True, "b": False, "c": False, "d": True}
    # right on a and b: 2/4; answerable b, c of which c refused: 1/2
    assert m.abstention_accuracy(abstained, unanswerable) == pytest.approx(0.5)
    assert m.false_abstain_rate(abstained, unanswerable) == pytest.approx(0.5)


def test_normalize_answer() -> None:
    # lower -> "the cat, sat on a mat!"; no punctuation -> "the cat sat on a mat"; no articles -> "cat sat on mat"
    assert m.normalize_answer("The Cat, sat on a mat!") == "cat sat on mat"
    # punctuation is dropped, not turned into spaces (as in SQuAD's script); "theory" keeps its "the"
    assert m.normalize_answer("Don't tune the step-size; theory") == "dont tune stepsize theory"


@pytest.mark.parametrize(
    ("prediction", "reference", "expected"),
    [
        ("the cat sat", "a cat ran", 1 / 2),  # [cat sat] vs [cat ran]: 1 shared, P = R = 1/2, F1 = 1/2
        # [x y] vs [y y w z]: y shared once (min of 1 and 2), P = 1/2, R = 1/4, F1 = 2 * 1/8 / (3/4) = 1/3
        ("x y", "y y w z", 1 / 3),
        # [water deeply] vs [water them deeply]: 2 shared, P = 1, R = 2/3, F1 = 2 * (2/3) / (5/3) = 4/5
        ("Water deeply.", "Water them deeply", 4 / 5),
        ("x", "y", 0.0),  # nothing shared
        ("The.", "", 1.0),  # both normalize to no token: equal
        ("the", "cat", 0.0),  # the prediction has no token left, the reference has one
    ],
)
def test_f1_tokens(prediction: str, reference: str, expected: float) -> None:
    assert m.f1_tokens(prediction, reference) == pytest.approx(expected)


def test_token_f1_and_exact_match() -> None:
    hyps = {"q1": "the cat sat", "q2": "x y", "q3": "The Cat!"}
    refs = {"q1": "a cat ran", "q2": "y y w z", "q3": "cat"}
    # F1: (1/2 + 1/3 + 1) / 3 = (11/6) / 3 = 11/18; exact: only q3 ("cat" == "cat"): 1/3
    assert m.token_f1(hyps, refs) == pytest.approx(11 / 18)
    assert m.exact_match(hyps, refs) == pytest.approx(1 / 3)
    assert m.token_f1({}, {}) == 0.0 and m.exact_match({}, {}) == 0.0


# the gold quote is [10, 20) of "d" (10 characters); a citation matches it when the two share at least
# half of the shorter span
CITATION_CASES = [
    (Span("d", 12, 16), True),  # one sentence inside the quote: shorter 4, overlap 4 >= 2
    (Span("d", 0, 100), True),  # a whole merged section around it: shorter 10, overlap 10 >= 5
    (Span("d", 0, 15), True),  # shorter 10 (the quote), overlap [10,15) = 5 >= 5
    (Span("d", 0, 14), False),  # overlap 4 < 5
    (Span("d", 18, 22), True),  # shorter 4 (the citation), overlap [18,20) = 2 >= 2
    (Span("d", 19, 22), False),  # shorter 3, overlap 1 < 1.5
    (Span("d", 19, 119), False),  # grazes the quote: overlap 1 of shorter 10 (any overlap counted before)
    (Span("d", 20, 30), False),  # touches the end, shares nothing
    (Span("e", 10, 20), False),  # same range, other doc
    (Span("d", 15, 15), False),  # an empty citation matches nothing
]


@pytest.mark.parametrize(("cited", "expected"), CITATION_CASES)
def test_spans_match(cited: Span, expected: bool) -> None:
    assert m.spans_match(cited, GOLD) is expected
    assert m.spans_match(GOLD, cited) is expected  # symmetric


def test_cites_gold_uses_every_quote_and_occurrence() -> None:
    gold = [[Span("n.txt", 0, 10), Span("n.txt", 100, 110)], [Span("m.txt", 50, 60)]]
    assert m.cites_gold([Span("n.txt", 104, 108)], gold)  # inside quote 0's second occurrence
    assert m.cites_gold([Span("m.txt", 0, 200)], gold)  # a section holding quote 1
    assert not m.cites_gold([Span("n.txt", 50, 60)], gold)  # between the occurrences
    assert not m.cites_gold([Span("n.txt", 0, 10)], [])  # an unanswerable question has no gold


def test_a_two_span_citation_is_judged_by_its_spans_not_the_range_between() -> None:
    gold = [[Span("n.txt", 100, 140)]]  # one gold quote of 40 characters
    # sentences quoted at [60, 90) and [150, 200): neither shares a character with the quote, so not gold,
    # although the range covering them, [60, 200), holds all 40 (shorter 40, overlap 40 >= 20)
    assert not m.cites_gold([Span("n.txt", 60, 90), Span("n.txt", 150, 200)], gold)
    assert m.cites_gold([Span("n.txt", 60, 200)], gold)
    # the second sentence [125, 135) inside the quote: shorter 10, overlap 10 >= 5, gold whatever the first
    assert m.cites_gold([Span("n.txt", 60, 90), Span("n.txt", 125, 135)], gold)
    # [60, 110) and [135, 160): overlaps 10 of shorter 40 and 5 of shorter 25, each under half: not gold
    assert not m.cites_gold([Span("n.txt", 60, 110), Span("n.txt", 135, 160)], gold)


def test_gold_cited_and_citation_gold_precision() -> None:
    flags = {"q1": [False, True], "q2": [False], "q3": []}
    # gold_cited: q1 cites a gold passage, q2 does not, q3 cites nothing (a miss): 1/3
    assert m.gold_cited(flags) == pytest.approx(1 / 3)
    assert m.gold_cited({}) is None
    # precision: 1 gold of 3 citations; q3 adds none
    assert m.citation_gold_precision(flags) == pytest.approx(1 / 3)
    assert m.citation_gold_precision({"q1": []}) is None


def test_code_citation_rate() -> None:
    assert m.code_citation_rate({"a": True, "b": False, "c": False, "d": True}) == pytest.approx(0.5)
    assert m.code_citation_rate({}) is None
    assert m.names_code_topic("reference/optimizers.py", "Adam", ("adam",))
    assert not m.names_code_topic("reference/lora.py", "LoRALinear", ("gru",))


def test_p50() -> None:
    assert m.p50([3.0, 1.0, 2.0, 10.0]) == pytest.approx(2.5)
    assert m.p50([]) is None


@pytest.mark.parametrize(("flags", "expected"), [([True, False, False, True], 0.5), ([False], 0.0), ([], None)])
def test_share(flags: list[bool], expected: float | None) -> None:
    assert m.share(flags) == expected
