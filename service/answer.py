"""The one answer pipeline the API, `notecite ask` and eval share.

retrieve -> abstain when the evidence is weak -> prompt with numbered sources -> stream the answer ->
attribute each sentence to the sources that support it -> citations.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import asdict, dataclass, field
from typing import Any, Protocol

from core.settings import AnswerSettings
from models.prompts import REFUSAL, PromptSource, build_messages, is_refusal
from service.attribution import AnsweredSentence, attribute, join_sentences, with_markers
from service.conversation import rewrite_query
from service.extractive import best_sentences
from retrieval.retriever import EmbedderLike, Hit, Retriever

CODE_QUESTION = re.compile(
    r"\b(how (do|can|would|should|to) (i|you|we|one)?\s*(code|implement|write|program|build)|"
    r"(implement|implementation|code|coding|python|numpy)\b.*\b(for|of|a|an|the)\b|"
    r"\b(in|with|using) (numpy|python)\b|"
    r"(show|give) me (the )?code)",
    re.I,
)
CODE_PROMPT_LINES = 14  # the signature and docstring say what the code does; the body is cited, not prompted


class Generator(Protocol):
    name: str

    def stream(
        self, messages: list[dict[str, str]], *, max_tokens: int = 160, stop: Sequence[str] = ()
    ) -> Iterator[str]: ...


@dataclass
class Citation:
    """What the UI needs to open the cited span: {n, kind, doc, breadcrumbs, start, end, quote} (+ code)."""

    n: int
    kind: str
    doc: str
    breadcrumbs: list[str]
    start: int
    end: int
    quote: str
    symbol: str | None = None
    line_start: int | None = None
    line_end: int | None = None
    code: str | None = None  # the snippet with line numbers, for code citations

    @classmethod
    def from_hit(cls, n: int, hit: Hit) -> Citation:
        code = None
        if hit.kind == "code" and hit.line_start is not None:
            code = "\n".join(f"{hit.line_start + i:>4}  {line}" for i, line in enumerate(hit.text.splitlines()))
        return cls(
            n=n,
            kind=hit.kind,
            doc=hit.doc,
            breadcrumbs=hit.breadcrumbs,
            start=hit.start,
            end=hit.end,
            quote=hit.text,
            symbol=hit.symbol,
            line_start=hit.line_start,
            line_end=hit.line_end,
            code=code,
        )


@dataclass
class Answer:
    id: str
    question: str
    query: str
    text: str
    abstained: bool
    citations: list[Citation]
    sentences: list[AnsweredSentence]
    sources: list[Hit]
    nearest: list[Hit]
    code_question: bool = False
    timings_ms: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class TokenEvent:
    text: str


@dataclass
class AnswerEvent:
    answer: Answer


def is_code_question(question: str) -> bool:
    """ "How do I code a GRU cell?" wants code; "what is a GRU?" does not."""
    return bool(CODE_QUESTION.search(question))


def code_pointer(n: int, hit: Hit) -> AnsweredSentence:
    """The sentence that links source [n], a code symbol, into an answer."""
    text = f"Reference implementation: {hit.symbol} in {hit.doc}, lines {hit.line_start}-{hit.line_end}."
    return AnsweredSentence(with_markers(text, [n]), [n], supported=True, support=1.0, separator="\n")


def prompt_source(n: int, hit: Hit) -> PromptSource:
    text = "\n".join(hit.text.splitlines()[:CODE_PROMPT_LINES]) if hit.kind == "code" else hit.text
    crumbs = list(hit.breadcrumbs) + ([f"{hit.doc}:{hit.symbol}"] if hit.symbol else [])
    return PromptSource(n=n, text=text, breadcrumbs=crumbs, kind=hit.kind)


class AnswerPipeline:
    """Answers questions from one index generation; the generator serializes its own use."""

    def __init__(self, retriever: Retriever, generator: Generator, embedder: EmbedderLike, config: AnswerSettings):
        self.retriever = retriever
        self.generator = generator
        self.embedder = embedder
        self.config = config

    def answer(self, question: str, history: Sequence[dict[str, Any]] = ()) -> Answer:
        """The whole answer at once (the streaming path, consumed)."""
        for event in self.stream(question, history):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise RuntimeError("the answer stream ended without an answer")

    def retrieve_sources(self, question: str, query: str) -> tuple[list[Hit], bool]:
        """Note passages, plus code symbols when the question asks how to implement something."""
        code_question = is_code_question(question)
        sources = self.retriever.retrieve(query, k=self.config.top_k, kind="note")
        if code_question:
            sources += self.retriever.retrieve(query, k=self.config.code_k, kind="code", merge=False)
        return sources, code_question

    def stream(self, question: str, history: Sequence[dict[str, Any]] = ()) -> Iterator[TokenEvent | AnswerEvent]:
        """Token events while the model writes, then one AnswerEvent with the checked citations."""
        t0 = time.perf_counter()
        question = question.strip()
        query = rewrite_query(question, history)
        sources, code_question = self.retrieve_sources(question, query)
        timings = {"retrieval": (time.perf_counter() - t0) * 1000}

        def finish(text: str, sentences: list[AnsweredSentence], citations: list[Citation], abstained: bool):
            timings["total"] = (time.perf_counter() - t0) * 1000
            return AnswerEvent(
                Answer(
                    id=uuid.uuid4().hex,
                    question=question,
                    query=query,
                    text=text,
                    abstained=abstained,
                    citations=citations,
                    sentences=sentences,
                    sources=sources,
                    nearest=sources if abstained else [],
                    code_question=code_question,
                    timings_ms=timings,
                )
            )

        best = max((h.dense_score or 0.0 for h in sources), default=0.0)
        if best < self.config.abstain_threshold:
            yield finish(REFUSAL, [AnsweredSentence(REFUSAL, supported=True)], [], abstained=True)
            return

        # the model explains from the notes; code is attached by citation (numbered after the notes), which
        # keeps the prompt short and the code shown exactly as it is in the file
        notes = [h for h in sources if h.kind == "note"]
        messages = build_messages(
            question,
            [prompt_source(n, h) for n, h in enumerate(notes, start=1)],
            max_source_words=self.config.source_words,
        )
        pieces: list[str] = []
        # closing(): a client that disconnects mid-answer closes this stream, and with it the model's,
        # which releases the generator's lock at once instead of whenever the garbage collector runs
        with closing(self.generator.stream(messages, max_tokens=self.config.max_new_tokens)) as tokens:
            for piece in tokens:
                if not pieces:
                    timings["first_token"] = (time.perf_counter() - t0) * 1000
                pieces.append(piece)
                yield TokenEvent(piece)
        raw = "".join(pieces).strip()

        refused = not raw or is_refusal(raw)
        quotes: dict[int, Citation] = {}  # citations narrowed to the quoted sentence
        if refused:
            # a small model refuses some questions its sources do answer: then quote the notes; and notes
            # rarely say how to code a thing, so a code question still gets its code and explaining passage
            strong = max((h.dense_score or 0.0 for h in notes), default=0.0) >= self.config.quote_threshold
            if not strong and not (code_question and len(notes) < len(sources)):
                yield finish(REFUSAL, [AnsweredSentence(REFUSAL, supported=True)], [], abstained=True)
                return
            sentences, quotes = self.quoted(question, notes) if strong else ([], {})
        else:
            sentences = attribute(
                raw, [h.text for h in sources], self.embedder, threshold=self.config.support_threshold
            )
        if code_question:
            if sentences:
                sentences[-1].separator = "\n\n"
            explained = any(n <= len(notes) for s in sentences for n in s.citations)
            sentences += self.code_pointers(sources, explained=explained)
        cited = sorted({n for s in sentences for n in s.citations})
        citations = [quotes.get(n) or Citation.from_hit(n, sources[n - 1]) for n in cited]
        yield finish(join_sentences(sentences), sentences, citations, abstained=False)

    def quoted(self, question: str, notes: list[Hit]) -> tuple[list[AnsweredSentence], dict[int, Citation]]:
        """The notes' own sentences closest to the question, each cited to its exact characters."""
        sentences, quotes = [], {}
        for x in best_sentences(question, notes, self.embedder, n=2, distinct_sources=True):
            n, hit = x.source + 1, notes[x.source]
            quotes[n] = Citation(n, hit.kind, hit.doc, hit.breadcrumbs, x.start, x.end, x.text)
            sentences.append(AnsweredSentence(with_markers(x.text, [n]), [n], supported=True, support=x.similarity))
        return sentences, quotes

    def code_pointers(self, sources: list[Hit], explained: bool) -> list[AnsweredSentence]:
        """Sentences naming the reference implementation and, when the model cited no note, the passage
        that explains it: a code answer always links both."""
        out = []
        best_note = next((n for n, h in enumerate(sources, start=1) if h.kind == "note"), None)
        if not explained and best_note is not None:
            hit = sources[best_note - 1]
            if (hit.dense_score or 0.0) >= self.config.abstain_threshold:
                text = f"Explained in your notes: {' > '.join(hit.breadcrumbs[1:] or hit.breadcrumbs)}."
                out.append(AnsweredSentence(with_markers(text, [best_note]), [best_note], True, 1.0, "\n"))
        return out + [code_pointer(n, h) for n, h in enumerate(sources, start=1) if h.kind == "code"]
