"""The sentences of retrieved passages closest to a question: quoted, never generated.

Used by the answer pipeline when the model refuses although the notes match the question well, and by
eval as the extractive baseline a generator has to beat.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.text import sentence_spans
from retrieval.retriever import EmbedderLike, Hit

MIN_SENTENCE_CHARS = 20  # shorter pieces are headings and list stubs, not answers


@dataclass(frozen=True)
class Extract:
    """One sentence of hits[source]: its text and its [start, end) in the source document."""

    source: int
    start: int
    end: int
    text: str
    similarity: float


def answer_spans(hit: Hit) -> list[tuple[int, int]]:
    """[start, end) in `hit.text` of the sentences that can answer: no question, no title, no heading.

    The sentence closest to a question is too often the question itself (a flashcard's front) or the
    title above the answer, so a hit's context spans are cut out of its sentences (a heading run into
    the first sentence of a blog export leaves that sentence), and questions are dropped.
    """
    context = sorted((s - hit.start, e - hit.start) for s, e in hit.context_spans)
    spans: list[tuple[int, int]] = []
    for start, end in sentence_spans(hit.text):
        pieces, at = [], start
        for s, e in context:
            if s < end and at < e:
                pieces.append((at, max(at, s)))
                at = max(at, e)
        pieces.append((at, end))
        for s, e in pieces:
            raw = hit.text[s:e]
            piece, s = raw.strip(), s + len(raw) - len(raw.lstrip())
            if len(piece) >= MIN_SENTENCE_CHARS and not piece.rstrip("\"')]”’").endswith("?"):
                spans.append((s, s + len(piece)))
    return spans


def best_sentences(
    question: str,
    hits: Sequence[Hit],
    embedder: EmbedderLike,
    n: int = 2,
    *,
    distinct_sources: bool = False,
    passage_weight: float = 0.0,
) -> list[Extract]:
    """The `n` sentences of `hits` that best answer `question`, best first (one per hit if distinct).

    Candidates are answer sentences only (`answer_spans`): never a question or a title. A sentence scores
    its cosine with the question plus `passage_weight` times its passage's: the sentence most like the
    question is often a near-paraphrase in the wrong passage, while the passage that holds the answer is
    the one most like the question as a whole.
    """
    candidates = [(i, s, e) for i, hit in enumerate(hits) for s, e in answer_spans(hit)]
    if not candidates:
        return []
    vectors = embedder.embed([question] + [hits[i].text[s:e] for i, s, e in candidates])
    sims = vectors[1:] @ vectors[0]
    sims = sims + passage_weight * np.array([hits[i].dense_score or 0.0 for i, _, _ in candidates])
    chosen: list[Extract] = []
    for j in np.argsort(-sims, kind="stable"):
        i, s, e = candidates[int(j)]
        if distinct_sources and any(x.source == i for x in chosen):
            continue
        hit = hits[i]
        chosen.append(Extract(i, hit.start + s, hit.start + e, hit.text[s:e], float(sims[j])))
        if len(chosen) == n:
            break
    return chosen
