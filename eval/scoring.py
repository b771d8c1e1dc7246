"""Turn one system's hits and answers into the metric inputs and the report's numbers.

Kept apart from running the systems so it can be tested on hand-made hits and answers.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from eval import metrics as m
from eval.dataset import Question
from eval.metrics import Span
from eval.ragas_metrics import RagasInput, ragas_scores
from retrieval.retriever import Hit
from service.answer import Answer, Citation
from service.writers import is_degenerate

Gold = list[list[Span]]  # per gold quote, all its occurrences
MARKER = re.compile(r"\s*\[\d+\]")
K = 10


def gold_spans(questions: Sequence[Question], source_text: Callable[[str], str | None]) -> dict[str, Gold]:
    """Locate every gold quote in the text the index serves (the coordinates hits are given in)."""
    out: dict[str, Gold] = {}
    for q in questions:
        out[q.id] = [
            [Span(g.doc, s, e) for s, e in m.quote_spans(source_text(g.doc) or "", g.quote)] for g in q.relevant
        ]
    return out


def hit_span(hit: Hit) -> Span:
    return Span(hit.doc, hit.start, hit.end)


@dataclass
class RetrievalScores:
    summary: dict[str, float]
    covers: dict[str, list[frozenset[int]]]
    lengths: dict[str, list[int]]


def score_retrieval(
    questions: Sequence[Question], hits: Mapping[str, Sequence[Hit]], gold: Mapping[str, Gold]
) -> RetrievalScores:
    """Retrieval metrics over the answerable questions (an unanswerable one has nothing to find)."""
    answerable = [q for q in questions if q.relevant]
    covers = {q.id: [m.covered_quotes(hit_span(h), gold[q.id]) for h in hits[q.id][:K]] for q in answerable}
    lengths = {q.id: [len(h.text) for h in hits[q.id][:K]] for q in answerable}
    n_gold = {q.id: len(q.relevant) for q in answerable}
    return RetrievalScores(m.retrieval_summary(covers, n_gold, lengths), covers, lengths)


def answer_text(answer: Answer) -> str:
    """The answer as a reader sees it, without [n] markers (they are not words of the answer)."""
    return MARKER.sub("", answer.text).strip()


def is_gold(citation: Citation, gold: Gold) -> bool:
    """`metrics.cites_gold` on the exact spans the citation quoted (not the range covering them)."""
    return m.cites_gold([Span(citation.doc, s.start, s.end) for s in citation.spans], gold)


def gold_flags(answer: Answer, gold: Gold) -> list[bool]:
    """One flag per cited note passage of the answer, in citation order: is it gold (`is_gold`)?
    Code citations are left out: gold quotes are note passages, and code has its own rate."""
    return [is_gold(c, gold) for c in answer.citations if c.kind == "note"]


def cites_code_topic(answer: Answer, code_keywords: Sequence[str]) -> bool:
    return any(c.kind == "code" and m.names_code_topic(c.doc, c.symbol, code_keywords) for c in answer.citations)


def oracle_text(q: Question) -> str:
    """The gold quote as an answer: the question's gold quotes joined by a space, in dataset order."""
    return " ".join(g.quote for g in q.relevant)


def text_scores(hypotheses: Mapping[str, str], references: Mapping[str, str]) -> dict[str, float]:
    """The answer-text metrics, by question id: BLEU, ROUGE-1/2/L, SQuAD token F1 and exact match."""
    return {
        "bleu": m.bleu(hypotheses, references),
        **m.rouge(hypotheses, references),
        "token_f1": m.token_f1(hypotheses, references),
        "exact_match": m.exact_match(hypotheses, references),
    }


def score_answers(
    questions: Sequence[Question], answers: Mapping[str, Answer], gold: Mapping[str, Gold]
) -> dict[str, float | None]:
    """The answers block of report.json over the questions given (those the system answered).

    Text metrics: answerable questions, the answer without [n] markers against the reference answer.
    gold_cited: answered fact questions (not abstained) whose note citations include a gold passage.
    citation_gold_precision: every cited note passage of every answer given, gold or not (any passage cited
    for an unanswerable question is not gold). degenerate: generated answers that loop (`is_degenerate`).
    """
    answerable = [q for q in questions if q.relevant]
    hyps = {q.id: answer_text(answers[q.id]) for q in answerable}
    refs = {q.id: q.reference_answer for q in answerable}
    abstained = {q.id: answers[q.id].abstained for q in questions}
    unanswerable = {q.id: q.kind == "unanswerable" for q in questions}
    flags = {q.id: gold_flags(answers[q.id], gold[q.id]) for q in questions}
    facts = {q.id: flags[q.id] for q in questions if q.kind == "fact" and not abstained[q.id]}
    code = {q.id: cites_code_topic(answers[q.id], q.code_keywords) for q in questions if q.kind == "code"}
    return {
        **text_scores(hyps, refs),
        "abstention_accuracy": m.abstention_accuracy(abstained, unanswerable),
        "false_abstain_rate": m.false_abstain_rate(abstained, unanswerable),
        "gold_cited": m.gold_cited(facts),
        "citation_gold_precision": m.citation_gold_precision(flags),
        "code_citation_rate": m.code_citation_rate(code),
        # a model's loops; a quote is the notes' own words ("the the the the" in a note on BLEU is no loop)
        "degenerate": m.share(
            [answers[q.id].writer == "model" and is_degenerate(answers[q.id].text) for q in questions]
        ),
        "replaced": m.share([answers[q.id].replaced is not None for q in questions if not abstained[q.id]]),
    }


def score_oracle(questions: Sequence[Question]) -> dict[str, float]:
    """The ceiling of quoting: each answerable question's gold quote scored as its answer, same text metrics.

    Needs only the dataset, so every answer table can show it beside the systems.
    """
    answerable = [q for q in questions if q.relevant]
    hyps = {q.id: oracle_text(q) for q in answerable}
    refs = {q.id: q.reference_answer for q in answerable}
    return text_scores(hyps, refs)


def ragas_block(
    questions: Sequence[Question], hits: Mapping[str, Sequence[Hit]], answers: Mapping[str, Answer]
) -> dict[str, float | None]:
    """ragas's context metrics for every question, its text metrics for the answered answerable ones."""
    samples = {}
    for q in questions:
        answered = q.id in answers and bool(q.relevant)
        samples[q.id] = RagasInput(
            retrieved_contexts=[h.text for h in hits[q.id][:K]],
            reference_contexts=[g.quote for g in q.relevant],
            response=answer_text(answers[q.id]) if answered else None,
            reference=q.reference_answer if answered else None,
        )
    return ragas_scores(samples)
