"""The extractive baseline: answer with the retrieved sentences closest to the question, each cited.

A generator has to beat this to be worth its latency: it cannot hallucinate, and its citations point at
exactly the characters it quotes. It abstains by the same rule as the service (best cosine too low).
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Sequence

import numpy as np

from models.prompts import REFUSAL
from service.answer import Answer, AnswerConfig, Citation, code_pointer, is_code_question
from service.attribution import AnsweredSentence, with_markers
from service.retrieval import EmbedderLike, Hit

Search = Callable[[str, int, str], list[Hit]]  # (query, k, kind) -> hits
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
MIN_SENTENCE_CHARS = 20  # shorter pieces are headings and list stubs, not answers


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """[start, end) of each sentence or line of `text`, trimmed of surrounding whitespace.

    >>> sentence_spans("One. Two!\\nThree")
    [(0, 4), (5, 9), (10, 15)]
    """
    spans, at = [], 0
    for sep in [*SENTENCE_END.finditer(text), None]:
        end = sep.start() if sep else len(text)
        piece = text[at:end]
        lead = len(piece) - len(piece.lstrip())
        if piece.strip():
            spans.append((at + lead, at + len(piece.rstrip())))
        at = sep.end() if sep else len(text)
    return spans


class ExtractiveAnswerer:
    """Answers from `search`'s top passages with the `n_sentences` sentences most similar to the question."""

    def __init__(self, search: Search, embedder: EmbedderLike, config: AnswerConfig, *, n_sentences: int = 2) -> None:
        self.search = search
        self.embedder = embedder
        self.config = config
        self.n_sentences = n_sentences

    def answer(self, question: str) -> Answer:
        t0 = time.perf_counter()
        code_question = is_code_question(question)
        sources = self.search(question, self.config.top_k, "note")
        if code_question:
            sources += self.search(question, self.config.code_k, "code")
        notes = [h for h in sources if h.kind == "note"]
        best = max((h.dense_score or 0.0 for h in notes), default=0.0)
        if best < self.config.abstain_threshold:
            return self._answer(question, REFUSAL, True, [], [AnsweredSentence(REFUSAL)], sources, t0, code_question)

        candidates = [(hit, s, e) for hit in notes for s, e in sentence_spans(hit.text) if e - s >= MIN_SENTENCE_CHARS]
        if not candidates:
            return self._answer(question, REFUSAL, True, [], [AnsweredSentence(REFUSAL)], sources, t0, code_question)
        vectors = self.embedder.embed([question] + [hit.text[s:e] for hit, s, e in candidates])
        sims = vectors[1:] @ vectors[0]
        chosen = np.argsort(-sims, kind="stable")[: self.n_sentences]

        sentences, citations = [], []
        for n, i in enumerate(chosen, start=1):
            hit, s, e = candidates[int(i)]
            quote = hit.text[s:e]
            citations.append(
                Citation(
                    n=n,
                    kind=hit.kind,
                    doc=hit.doc,
                    breadcrumbs=hit.breadcrumbs,
                    start=hit.start + s,
                    end=hit.start + e,
                    quote=quote,
                )
            )
            sentences.append(AnsweredSentence(with_markers(quote, [n]), [n], supported=True, support=float(sims[i])))
        code_hits = [h for h in sources if h.kind == "code"]
        for hit in code_hits:
            n = len(citations) + 1
            citations.append(Citation.from_hit(n, hit))
            sentences.append(code_pointer(n, hit))
        text = " ".join(s.text for s in sentences)
        return self._answer(question, text, False, citations, sentences, sources, t0, code_question)

    @staticmethod
    def _answer(
        question: str,
        text: str,
        abstained: bool,
        citations: list[Citation],
        sentences: Sequence[AnsweredSentence],
        sources: list[Hit],
        t0: float,
        code_question: bool,
    ) -> Answer:
        return Answer(
            id=uuid.uuid4().hex,
            question=question,
            query=question,
            text=text,
            abstained=abstained,
            citations=citations,
            sentences=list(sentences),
            sources=sources,
            nearest=sources if abstained else [],
            code_question=code_question,
            timings_ms={"total": (time.perf_counter() - t0) * 1000},
        )
