"""Retrieval and answer metrics as pure functions keyed by question id.

Relevance is by span overlap (../shared/DESIGN.md): a retrieved span is relevant to a gold quote when it
is in the quote's doc and covers at least half of the quote's characters. Chunkers differ, so judging by
characters rather than by chunk ids is what lets bm25, dense, merged sections and llama-index's nodes be
scored on one scale. Each ranked list is given as, per rank, the set of gold-quote indices that hit covers.
Citations are judged by `spans_match` instead (half of the shorter span), span by span: a citation's spans are
the sentences it quoted (or one whole passage), and a quoted sentence of the gold passage counts as well as a
whole section merged around it.
"""

from __future__ import annotations

import math
import re
import statistics
import string
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

Covers = Sequence[frozenset[int]]  # per rank: indices of the gold quotes that hit covers


@dataclass(frozen=True)
class Span:
    """A character range [start, end) of one document."""

    doc: str
    start: int
    end: int

    def __len__(self) -> int:
        return max(0, self.end - self.start)


def quote_spans(text: str, quote: str) -> list[tuple[int, int]]:
    """Every position of `quote` in `text` (a repeated flashcard has the same quote more than once)."""
    spans = []
    at = text.find(quote)
    while at >= 0 and quote:
        spans.append((at, at + len(quote)))
        at = text.find(quote, at + 1)
    return spans


def overlap(a: Span, b: Span) -> int:
    """Characters two spans share; 0 across documents."""
    if a.doc != b.doc:
        return 0
    return max(0, min(a.end, b.end) - max(a.start, b.start))


def covers(hit: Span, gold: Span) -> bool:
    """The relevance rule: the hit holds at least half of the gold span's characters."""
    return len(gold) > 0 and 2 * overlap(hit, gold) >= len(gold)


def covered_quotes(hit: Span, gold: Sequence[Sequence[Span]]) -> frozenset[int]:
    """Indices of the gold quotes (each given by all its occurrences) that `hit` covers."""
    return frozenset(i for i, occurrences in enumerate(gold) if any(covers(hit, g) for g in occurrences))


def first_relevant_rank(covers_by_rank: Covers, k: int = 10) -> int | None:
    """1-based rank of the first hit that covers any gold quote, within the top k."""
    for rank, hit in enumerate(covers_by_rank[:k], start=1):
        if hit:
            return rank
    return None


def mrr_at_k(ranked: Mapping[str, Covers], k: int = 10) -> float:
    """Mean over questions of 1/rank of the first relevant hit (0 when none is in the top k)."""
    if not ranked:
        return 0.0
    ranks = (first_relevant_rank(c, k) for c in ranked.values())
    return sum(1.0 / r if r else 0.0 for r in ranks) / len(ranked)


def recall_at_k(ranked: Mapping[str, Covers], n_gold: Mapping[str, int], k: int) -> float:
    """Mean over questions of the share of its gold quotes covered by some hit in the top k."""
    if not ranked:
        return 0.0
    total = 0.0
    for qid, by_rank in ranked.items():
        found = frozenset().union(*by_rank[:k]) if by_rank[:k] else frozenset()
        total += len(found) / n_gold[qid]
    return total / len(ranked)


def ndcg_at_k(ranked: Mapping[str, Covers], n_gold: Mapping[str, int], k: int = 10) -> float:
    """Binary nDCG: a hit gains 1 when it covers a gold quote no earlier hit covered.

    Counting only new quotes keeps a passage and the section merged from it from scoring twice, so the
    value stays in [0, 1]; the ideal list covers one new quote at each of the first min(n_gold, k) ranks.
    """
    if not ranked:
        return 0.0
    total = 0.0
    for qid, by_rank in ranked.items():
        seen: set[int] = set()
        dcg = 0.0
        for rank, hit in enumerate(by_rank[:k], start=1):
            if hit - seen:
                dcg += 1.0 / math.log2(rank + 1)
                seen |= hit
        ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(n_gold[qid], k) + 1))
        total += dcg / ideal
    return total / len(ranked)


def reading_cost(covers_by_rank: Covers, lengths: Sequence[int], k: int = 10) -> int:
    """Characters a reader goes through, in rank order, up to and including the first relevant hit;
    all top-k hits' characters when none is relevant. Bigger chunks cannot buy recall for free here."""
    rank = first_relevant_rank(covers_by_rank, k)
    return sum(lengths[: rank if rank else k])


def median_reading_cost(ranked: Mapping[str, Covers], lengths: Mapping[str, Sequence[int]], k: int = 10) -> float:
    if not ranked:
        return 0.0
    return float(statistics.median(reading_cost(c, lengths[qid], k) for qid, c in ranked.items()))


def retrieval_summary(
    ranked: Mapping[str, Covers], n_gold: Mapping[str, int], lengths: Mapping[str, Sequence[int]]
) -> dict[str, float]:
    """The retrieval block of report.json."""
    return {
        "mrr@10": mrr_at_k(ranked, 10),
        "ndcg@10": ndcg_at_k(ranked, n_gold, 10),
        "recall@1": recall_at_k(ranked, n_gold, 1),
        "recall@5": recall_at_k(ranked, n_gold, 5),
        "recall@10": recall_at_k(ranked, n_gold, 10),
        "reading_cost_median": median_reading_cost(ranked, lengths, 10),
    }


# ---- answers


def bleu(hypotheses: Mapping[str, str], references: Mapping[str, str]) -> float:
    """Corpus BLEU by sacrebleu, scaled to [0, 1] like the other metrics (sacrebleu reports 0-100)."""
    import sacrebleu

    if not hypotheses:
        return 0.0
    ids = list(hypotheses)
    result = sacrebleu.corpus_bleu([hypotheses[i] for i in ids], [[references[i] for i in ids]])
    return result.score / 100.0


def rouge(hypotheses: Mapping[str, str], references: Mapping[str, str]) -> dict[str, float]:
    """Mean ROUGE-1/2/L F-measures by rouge-score (stemmed), over the questions given."""
    from rouge_score import rouge_scorer

    names = ("rouge1", "rouge2", "rougeL")
    if not hypotheses:
        return dict.fromkeys(names, 0.0)
    scorer = rouge_scorer.RougeScorer(list(names), use_stemmer=True)
    sums = dict.fromkeys(names, 0.0)
    for qid, hyp in hypotheses.items():
        scores = scorer.score(references[qid], hyp)
        for name in names:
            sums[name] += scores[name].fmeasure
    return {name: sums[name] / len(hypotheses) for name in names}


ARTICLES = re.compile(r"\b(a|an|the)\b")
PUNCTUATION = str.maketrans("", "", string.punctuation)


def normalize_answer(text: str) -> str:
    """SQuAD's normalization: lowercase, drop ASCII punctuation, drop the articles a/an/the, collapse spaces.

    Same steps in the same order as the official SQuAD script, so "don't" becomes "dont" and "step-size"
    becomes "stepsize" there as here.
    """
    return " ".join(ARTICLES.sub(" ", text.lower().translate(PUNCTUATION)).split())


def answer_tokens(text: str) -> list[str]:
    return normalize_answer(text).split()


def f1_tokens(prediction: str, reference: str) -> float:
    """SQuAD token F1 of one answer: the harmonic mean of the precision and recall of the bag of tokens
    the two normalized texts share (a token counts as often as it appears in both). When either side has no
    token left, 1.0 if both are empty, else 0.0 (SQuAD v2's rule)."""
    pred, ref = answer_tokens(prediction), answer_tokens(reference)
    if not pred or not ref:
        return float(pred == ref)
    same = sum((Counter(pred) & Counter(ref)).values())
    if same == 0:
        return 0.0
    precision, recall = same / len(pred), same / len(ref)
    return 2 * precision * recall / (precision + recall)


def token_f1(hypotheses: Mapping[str, str], references: Mapping[str, str]) -> float:
    """Mean SQuAD token F1 over the questions given (0 when none)."""
    if not hypotheses:
        return 0.0
    return sum(f1_tokens(hyp, references[qid]) for qid, hyp in hypotheses.items()) / len(hypotheses)


def exact_match(hypotheses: Mapping[str, str], references: Mapping[str, str]) -> float:
    """Share of questions whose answer equals the reference after SQuAD normalization (0 when none)."""
    if not hypotheses:
        return 0.0
    return sum(normalize_answer(hyp) == normalize_answer(references[qid]) for qid, hyp in hypotheses.items()) / len(
        hypotheses
    )


def abstention_accuracy(abstained: Mapping[str, bool], unanswerable: Mapping[str, bool]) -> float:
    """Share of questions where the system abstained exactly when the notes cannot answer."""
    if not abstained:
        return 0.0
    return sum(abstained[q] == unanswerable[q] for q in abstained) / len(abstained)


def false_abstain_rate(abstained: Mapping[str, bool], unanswerable: Mapping[str, bool]) -> float:
    """Share of answerable questions the system refused."""
    answerable = [q for q in abstained if not unanswerable[q]]
    if not answerable:
        return 0.0
    return sum(abstained[q] for q in answerable) / len(answerable)


def spans_match(a: Span, b: Span) -> bool:
    """The citation rule: two spans of one doc share at least half of the shorter span's characters.

    Symmetric, so a citation narrowed to one sentence inside a gold quote matches it, and so does a whole
    section merged around the quote; a span merely touching or grazing the quote does not. An empty span
    matches nothing.
    """
    shorter = min(len(a), len(b))
    return shorter > 0 and 2 * overlap(a, b) >= shorter


def cites_gold(cited: Sequence[Span], gold: Sequence[Sequence[Span]]) -> bool:
    """A citation, given by its spans (each sentence it quoted, or its whole passage), is gold when one of
    them matches (`spans_match`) some occurrence of some gold quote. The text between two quoted sentences
    is not cited, so it cannot make a citation gold."""
    return any(spans_match(c, g) for c in cited for occurrences in gold for g in occurrences)


def names_code_topic(path: str, symbol: str | None, code_keywords: Sequence[str]) -> bool:
    haystack = f"{path} {symbol or ''}".lower()
    return any(k.lower() in haystack for k in code_keywords)


def gold_cited(flags: Mapping[str, Sequence[bool]]) -> float | None:
    """Share of the questions given whose citations include a gold one; None when no question is given.

    `flags` holds, per question, one `cites_gold` flag per cited note passage; a question that cites
    nothing counts as a miss, so an answer cannot score by citing less.
    """
    return sum(any(f) for f in flags.values()) / len(flags) if flags else None


def citation_gold_precision(flags: Mapping[str, Sequence[bool]]) -> float | None:
    """Share of all cited note passages (micro-average over every citation of every question) that are gold;
    None when nothing was cited."""
    every = [ok for per_question in flags.values() for ok in per_question]
    return sum(every) / len(every) if every else None


def code_citation_rate(code_cited: Mapping[str, bool]) -> float | None:
    """Share of code questions whose answer cites code whose path or symbol names the topic."""
    return sum(code_cited.values()) / len(code_cited) if code_cited else None


def share(flags: Sequence[bool]) -> float | None:
    """The share of True among `flags` (None when there are none)."""
    return sum(flags) / len(flags) if flags else None


def p50(values: Sequence[float]) -> float | None:
    return float(statistics.median(values)) if values else None
