"""Answer scoring on hand-made questions and answers; each expected value is derived in the comment beside it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from eval import scoring
from eval.dataset import GoldQuote, Question
from eval.metrics import Span
from service.answer import Answer, Citation
from service.writers import Quote


def question(qid: str, kind: str, reference: str, *quotes: str, keywords: tuple[str, ...] = ()) -> Question:
    relevant = tuple(GoldQuote("n.txt", q) for q in quotes)
    return Question(qid, f"question {qid}?", kind, reference, relevant, keywords)  # type: ignore[arg-type]


def cite(n: int, start: int, end: int, doc: str = "n.txt", kind: str = "note", symbol: str | None = None) -> Citation:
    return Citation(n, kind, doc, [], start, end, "", [Quote(start, end, "")], symbol=symbol)


def quoted(n: int, *spans: tuple[int, int]) -> Citation:
    """A citation of sentences quoted from n.txt: start/end cover them, as service.answer.citation makes it."""
    return Citation(n, "note", "n.txt", [], spans[0][0], spans[-1][1], "", [Quote(s, e, "") for s, e in spans])


def answer(text: str, *citations: Citation, abstained: bool = False) -> Answer:
    return Answer("a", "", "", text, abstained, list(citations), [], [], [])


QUESTIONS = [
    question("f1", "fact", "Water them deeply.", "water deeply"),
    question("f2", "fact", "twice a week", "twice a week"),
    question("f3", "fact", "An update gate.", "update gate"),
    question("c1", "code", "Bias-correct the moments.", "bias", keywords=("adam",)),
    question("u1", "unanswerable", "The notes do not cover this."),
]
GOLD = {  # where each quote lies in n.txt (the spans gold_spans would find)
    "f1": [[Span("n.txt", 100, 200)]],
    "f2": [[Span("n.txt", 500, 600)]],
    "f3": [[Span("n.txt", 700, 800)]],
    "c1": [[Span("n.txt", 900, 1000)]],
    "u1": [],
}
ANSWERS = {
    # one sentence inside the gold quote (gold) and a passage elsewhere (not gold)
    "f1": answer("Water deeply [1].", cite(1, 120, 150), cite(2, 300, 400)),
    # grazes the quote: overlap [590, 600) = 10 of shorter 100, not gold
    "f2": answer("Twice a week [1].", cite(1, 590, 700)),
    "f3": answer("The notes do not cover this.", abstained=True),
    # code citing adam_step, and the whole section around the gold quote (shorter 100, overlap 100: gold)
    "c1": answer("Use adam_step [1] [2].", cite(1, 0, 50, "reference/optim.py", "code", "adam_step"), cite(2, 0, 2000)),
    # any passage cited for an unanswerable question is not gold
    "u1": answer("Lima [1].", cite(1, 100, 200)),
}


def test_gold_flags_leave_code_out() -> None:
    assert scoring.gold_flags(ANSWERS["f1"], GOLD["f1"]) == [True, False]
    assert scoring.gold_flags(ANSWERS["c1"], GOLD["c1"]) == [True]  # the code citation has no flag
    assert scoring.gold_flags(ANSWERS["u1"], GOLD["u1"]) == [False]


def test_a_two_span_citation_is_gold_by_its_quoted_spans() -> None:
    questions = [question("a", "fact", "Water deeply.", "water deeply"), question("b", "fact", "Water.", "water")]
    gold = {"a": [[Span("n.txt", 100, 200)]], "b": [[Span("n.txt", 100, 200)]]}
    answers = {
        # [50, 90) and [210, 260) share nothing with the quote, although the range covering them, [50, 260),
        # holds all of it: not gold
        "a": answer("A [1]. B [1].", quoted(1, (50, 90), (210, 260))),
        # the second span [150, 190) lies inside the quote (shorter 40, overlap 40 >= 20): gold
        "b": answer("A [1]. C [1].", quoted(1, (50, 90), (150, 190))),
    }
    assert scoring.gold_flags(answers["a"], gold["a"]) == [False]
    assert scoring.gold_flags(answers["b"], gold["b"]) == [True]
    s = scoring.score_answers(questions, answers, gold)
    assert s["gold_cited"] == pytest.approx(1 / 2)  # b of the answered fact questions a, b
    assert s["citation_gold_precision"] == pytest.approx(1 / 2)  # one citation each: b's is gold


def test_score_answers() -> None:
    s = scoring.score_answers(QUESTIONS, ANSWERS, GOLD)
    assert set(s) == {
        "bleu", "rouge1", "rouge2", "rougeL", "token_f1", "exact_match", "abstention_accuracy",
        "false_abstain_rate", "gold_cited", "citation_gold_precision", "code_citation_rate", "degenerate",
        "replaced",
    }  # fmt: skip
    assert s["degenerate"] == 0.0 and s["replaced"] == 0.0  # no answer loops; none was replaced by quotes
    # answered fact questions f1 (gold) and f2 (not); f3 abstained and is left out: 1/2
    assert s["gold_cited"] == pytest.approx(1 / 2)
    # note citations: f1 [gold, not], f2 [not], c1 [gold], u1 [not]: 2 of 5
    assert s["citation_gold_precision"] == pytest.approx(2 / 5)
    assert s["code_citation_rate"] == pytest.approx(1.0)  # c1 cites adam_step
    # right on f1, f2, c1; f3 refused an answerable question, u1 answered an unanswerable one: 3/5
    assert s["abstention_accuracy"] == pytest.approx(3 / 5)
    assert s["false_abstain_rate"] == pytest.approx(1 / 4)  # f3 of the answerable f1, f2, f3, c1
    # token F1 over the answerable ones, markers removed:
    # f1 [water deeply] vs [water them deeply]: P 1, R 2/3 -> 4/5; f2 equal -> 1;
    # f3 [notes do not cover this] vs [update gate] -> 0; c1 [use adamstep] vs [biascorrect moments] -> 0
    assert s["token_f1"] == pytest.approx((4 / 5 + 1) / 4)
    assert s["exact_match"] == pytest.approx(1 / 4)  # f2 only


def test_oracle_scores_the_gold_quotes() -> None:
    one = question("o1", "fact", "Adam combines momentum with RMSProp.", "Adam combines momentum with RMSProp.")
    two = question("o2", "fact", "x y z w", "x y", "z")
    none = question("o3", "unanswerable", "The notes do not cover this.")
    assert scoring.oracle_text(two) == "x y z"
    s = scoring.score_oracle([one, two, none])
    # o1 is its reference: F1 1, ROUGE-L 1, exact; o2 [x y z] vs [x y z w]: P 1, R 3/4 -> 6/7 for F1 and for
    # ROUGE-L (LCS 3); o3 has no gold quote and is not scored
    assert s["token_f1"] == pytest.approx((1 + 6 / 7) / 2)
    assert s["rougeL"] == pytest.approx((1 + 6 / 7) / 2)
    assert s["exact_match"] == pytest.approx(1 / 2)


def test_oracle_block_covers_the_questions_answered() -> None:
    from eval.report import ORACLE, oracle_block

    systems = {
        "retrieval only": SimpleNamespace(answers={}),
        "answers": SimpleNamespace(answers={"f2": ANSWERS["f2"], "u1": ANSWERS["u1"]}),
    }
    block = oracle_block(SimpleNamespace(questions=QUESTIONS, systems=systems))  # type: ignore[arg-type]
    assert block is not None and block["name"] == ORACLE
    # f2's quote is its reference; u1 counts as answered but has nothing to score
    assert block["answers"]["n_answered"] == 2
    assert block["answers"]["token_f1"] == 1.0 and block["answers"]["exact_match"] == 1.0
    assert oracle_block(SimpleNamespace(questions=QUESTIONS, systems={"x": systems["retrieval only"]})) is None  # type: ignore[arg-type]


def test_degenerate_counts_a_models_loops_not_the_notes_own_words() -> None:
    """A note on BLEU holds "the the the the the the the": quoted, it is the notes' words; generated, a loop."""
    questions = [question("a", "fact", "Clip each word's count.", "clip"), question("b", "fact", "Clip.", "clip")]
    gold = {"a": [[Span("n.txt", 100, 200)]], "b": [[Span("n.txt", 100, 200)]]}
    looping = "If the output is the the the the the the the, precision is 7/7 [1]."
    quoted_answer, generated = answer(looping), answer(looping)
    quoted_answer.writer = "extractive"
    s = scoring.score_answers(questions, {"a": quoted_answer, "b": generated}, gold)
    assert s["degenerate"] == pytest.approx(1 / 2)  # b, written by the model
