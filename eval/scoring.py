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
from service.answer import Answer
from service.retrieval import Hit

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


def judge_citations(answer: Answer, gold: Gold, code_keywords: Sequence[str], *, attribution: bool) -> list[bool]:
    """A flag per citation: right by gold overlap, code topic, or (if `attribution`) a supported sentence."""
    flags = []
    for c in answer.citations:
        attributed = attribution and any(s.supported and c.n in s.citations for s in answer.sentences)
        flags.append(
            m.citation_ok(
                Span(c.doc, c.start, c.end),
                gold,
                attributed=attributed,
                symbol=c.symbol,
                code_keywords=code_keywords,
            )
        )
    return flags


def cites_code_topic(answer: Answer, code_keywords: Sequence[str]) -> bool:
    return any(c.kind == "code" and m.names_code_topic(c.doc, c.symbol, code_keywords) for c in answer.citations)


def score_answers(
    questions: Sequence[Question], answers: Mapping[str, Answer], gold: Mapping[str, Gold]
) -> dict[str, float | None]:
    """The answers block of report.json, plus citation precision by gold overlap alone."""
    answerable = [q for q in questions if q.relevant]
    hyps = {q.id: answer_text(answers[q.id]) for q in answerable}
    refs = {q.id: q.reference_answer for q in answerable}
    abstained = {q.id: answers[q.id].abstained for q in questions}
    unanswerable = {q.id: q.kind == "unanswerable" for q in questions}
    judged = {q.id: judge_citations(answers[q.id], gold[q.id], q.code_keywords, attribution=True) for q in questions}
    strict = {q.id: judge_citations(answers[q.id], gold[q.id], q.code_keywords, attribution=False) for q in questions}
    code = {q.id: cites_code_topic(answers[q.id], q.code_keywords) for q in questions if q.kind == "code"}
    return {
        "bleu": m.bleu(hyps, refs),
        **m.rouge(hyps, refs),
        "abstention_accuracy": m.abstention_accuracy(abstained, unanswerable),
        "false_abstain_rate": m.false_abstain_rate(abstained, unanswerable),
        "citation_precision": m.citation_precision(judged),
        "citation_gold_precision": m.citation_precision(strict),
        "code_citation_rate": m.code_citation_rate(code),
    }


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
