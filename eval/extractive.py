"""The extractive baseline: answer with the retrieved sentences closest to the question, each cited.

A generator has to beat this to be worth its latency: it cannot hallucinate, and its citations point at
exactly the characters it quotes. It abstains by the same rule as the service (best cosine too low).
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence

from models.prompts import REFUSAL
from core.settings import AnswerSettings
from service.answer import Answer, Citation, code_pointer, is_code_question
from service.attribution import AnsweredSentence, with_markers
from service.extractive import best_sentences
from retrieval.retriever import EmbedderLike, Hit

Search = Callable[[str, int, str], list[Hit]]  # (query, k, kind) -> hits


class ExtractiveAnswerer:
    """Answers from `search`'s top passages with the `n_sentences` sentences most similar to the question."""

    def __init__(self, search: Search, embedder: EmbedderLike, config: AnswerSettings, *, n_sentences: int = 2) -> None:
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

        extracts = best_sentences(question, notes, self.embedder, self.n_sentences)
        if not extracts:
            return self._answer(question, REFUSAL, True, [], [AnsweredSentence(REFUSAL)], sources, t0, code_question)
        sentences, citations = [], []
        for n, x in enumerate(extracts, start=1):
            hit = notes[x.source]
            citations.append(Citation(n, hit.kind, hit.doc, hit.breadcrumbs, x.start, x.end, x.text))
            sentences.append(AnsweredSentence(with_markers(x.text, [n]), [n], supported=True, support=x.similarity))
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
