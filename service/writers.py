"""Who writes an answer from the retrieved notes: the answer model, or quotes of the notes themselves.

AnswerPipeline runs one writer after retrieval and abstention, so the service and `notecite eval` run the
same code whichever writes. A writer yields TokenEvents while it writes and returns a Draft, or None when
it declines (the model said the notes do not cover the question and the evidence is not strong).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Generator as PyGenerator
from dataclasses import dataclass, field
from typing import Protocol

from core.settings import AnswerSettings
from core.text import content_words, split_sentences, strip_markers, with_markers
from models.generator import Generator
from models.prompts import PromptSource, build_messages, is_refusal
from retrieval.retriever import EmbedderLike, Hit
from retrieval.terms import TermRarity
from service.attribution import AnsweredSentence, attribute
from service.extractive import QuoteWeights, best_sentences
from service.question_parts import set_aside

CODE_PROMPT_LINES = 14  # the signature and docstring say what the code does; the body is cited, not prompted
REPEATED_CHARS = re.compile(r"([^\w\s])\1{5,}|(\b\w+\b)(?:\W+\2\b){3,}")  # ";;;;;;", "the the the the"


@dataclass
class TokenEvent:
    text: str


@dataclass
class Quote:
    """Characters an answer quoted: their [start, end) in the source document and the text there, exactly.

    A citation carries one per quoted sentence (service.answer.Citation.spans), so two sentences taken from
    one passage cite those two sentences and not the title or sentences between them."""

    start: int
    end: int
    quote: str


@dataclass
class Draft:
    """What a writer produced: the sentences (markers checked) and who wrote them."""

    sentences: list[AnsweredSentence]
    writer: str  # "model" | "extractive"
    quotes: dict[int, list[Quote]] = field(default_factory=dict)  # per source n, its quoted sentences in order
    generated_tokens: int = 0
    replaced: str | None = None  # why the guard replaced the model's answer, if it did
    at_token_limit: bool = False  # the model's generation ended at max_tokens, not at its end of turn


@dataclass(frozen=True)
class GenerationLimits:
    """What a client may ask of the model's generation (/v1's max_tokens and stop): fewer tokens than the
    server's budget (answer.max_new_tokens, never more), and strings that end it. Quotes are whole sentences
    of the notes cited to their characters, so the quoting writer takes neither."""

    max_tokens: int | None = None
    stop: tuple[str, ...] = ()

    def tokens(self, budget: int) -> int:
        return min(self.max_tokens, budget) if self.max_tokens else budget


NO_LIMITS = GenerationLimits()
Writing = PyGenerator[TokenEvent, None, Draft | None]
Rarity = Callable[[], TermRarity]  # read lazily: the index is scanned on the first quote, not at start


class Writer(Protocol):
    name: str

    def write(self, question: str, sources: list[Hit], limits: GenerationLimits = NO_LIMITS) -> Writing: ...


def prompt_source(n: int, hit: Hit) -> PromptSource:
    text = "\n".join(hit.text.splitlines()[:CODE_PROMPT_LINES]) if hit.kind == "code" else hit.text
    crumbs = list(hit.breadcrumbs) + ([f"{hit.doc}:{hit.symbol}"] if hit.symbol else [])
    return PromptSource(n=n, text=text, breadcrumbs=crumbs, kind=hit.kind)


def notes_of(sources: Sequence[Hit]) -> list[Hit]:
    """Note passages come first in the numbering; code hits follow them."""
    return [h for h in sources if h.kind == "note"]


class ExtractiveWriter:
    """Quotes the notes' sentences closest to the question, each cited to its exact characters.

    It cannot hallucinate, which makes it both the baseline a model has to beat and the guard's fallback.
    """

    name = "extractive"

    def __init__(self, embedder: EmbedderLike, config: AnswerSettings, rarity: Rarity | None = None) -> None:
        self.embedder = embedder
        self.config = config
        self.rarity = rarity

    def write(self, question: str, sources: list[Hit], limits: GenerationLimits = NO_LIMITS) -> Writing:
        return self.quote(question, sources)
        yield  # a generator that streams nothing: the draft arrives whole

    def quote(self, question: str, sources: list[Hit]) -> Draft | None:
        notes = notes_of(sources)
        parts = set_aside(question)
        extracts = best_sentences(
            parts.asked,
            notes,
            self.embedder,
            n=self.config.quote_sentences,
            weights=QuoteWeights.of(self.config),
            rarity=self.rarity() if self.rarity else None,
            words=self.config.quote_words,
            aside=parts.named,
        )
        if not extracts:
            return None
        sentences: list[AnsweredSentence] = []
        quotes: dict[int, list[Quote]] = {}
        for x in sorted(extracts, key=lambda x: (x.source, x.start)):  # the notes' own order reads best
            n, hit = x.source + 1, notes[x.source]
            for start, end in [*([x.lead] if x.lead else []), (x.start, x.end)]:
                quotes.setdefault(n, []).append(Quote(start, end, hit.text[start - hit.start : end - hit.start]))
            sentences.append(AnsweredSentence(with_markers(x.text, [n]), [n], supported=True, support=x.similarity))
        # a parent item two quoted items read after is cited once; spans in the notes' order
        quotes = {
            n: sorted({(q.start, q.end): q for q in qs}.values(), key=lambda q: q.start) for n, qs in quotes.items()
        }
        return Draft(sentences, self.name, quotes)


class ModelWriter:
    """The answer model writes from numbered note sources; a guard swaps in the quotes when it fails."""

    name = "model"

    def __init__(
        self, generator: Generator, embedder: EmbedderLike, config: AnswerSettings, rarity: Rarity | None = None
    ) -> None:
        self.generator = generator
        self.embedder = embedder
        self.config = config
        self.fallback = ExtractiveWriter(embedder, config, rarity)

    def write(self, question: str, sources: list[Hit], limits: GenerationLimits = NO_LIMITS) -> Writing:
        notes = notes_of(sources)
        messages = build_messages(
            question,
            [prompt_source(n, h) for n, h in enumerate(notes, start=1)],
            max_source_words=self.config.source_words,
        )
        pieces: list[str] = []
        stream = self.generator.stream(messages, max_tokens=limits.tokens(self.config.max_new_tokens), stop=limits.stop)
        for piece in stream:
            pieces.append(piece)
            yield TokenEvent(piece)
        finish = stream.finish
        raw = "".join(pieces).strip()
        if not raw or is_refusal(raw):
            # a small model refuses some questions its sources do answer: quote the notes when they match well
            if max((h.dense_score or 0.0 for h in notes), default=0.0) < self.config.quote_threshold:
                return None
            return self.replaced(question, sources, "refused", finish.tokens)
        sentences = attribute(raw, [h.text for h in sources], self.embedder, threshold=self.config.support_threshold)
        written = Draft(sentences, self.name, generated_tokens=finish.tokens, at_token_limit=finish.reason == "length")
        if not self.config.guard:
            return written
        problem = guard_problem(question, raw, sentences)
        quotes = self.fallback.quote(question, sources)
        if not problem and quotes is not None and self.less_relevant(question, sentences, quotes):
            problem = "less relevant than the quotes"
        if problem:
            return self.replaced(question, sources, problem, finish.tokens, quotes)
        return written

    def less_relevant(self, question: str, sentences: list[AnsweredSentence], quotes: Draft) -> bool:
        """The model's answer is further from the question than the quotes are, by more than the margin."""
        texts = [strip_markers(" ".join(s.text for s in d))[0] for d in (sentences, quotes.sentences)]
        vectors = self.embedder.embed([question, *texts])
        model, quoted = vectors[1:] @ vectors[0]
        return float(model) < float(quoted) - self.config.guard_margin

    def replaced(
        self, question: str, sources: list[Hit], why: str, tokens: int, quotes: Draft | None = None
    ) -> Draft | None:
        draft = quotes or self.fallback.quote(question, sources)
        if draft is not None:
            draft.replaced, draft.generated_tokens = why, tokens
        return draft


def is_degenerate(text: str) -> bool:
    """Runs of one symbol or word, or a sentence said twice: what a looping small model writes."""
    said = [" ".join(strip_markers(s)[0].lower().split()) for s, _ in split_sentences(text)]
    return bool(REPEATED_CHARS.search(text)) or len(said) > len(set(said))


def guard_problem(question: str, raw: str, sentences: Sequence[AnsweredSentence]) -> str | None:
    """Why a generated answer must not be shown, or None: degenerate, an echo of the question, citing
    nothing, or mostly unsupported by its sources."""
    if is_degenerate(raw):
        return "degenerate"
    said = set(content_words(" ".join(s.text for s in sentences)))
    if said and said <= set(content_words(question)) | {"notes"}:
        return "echoes the question"
    if not any(s.citations for s in sentences):
        return "cites nothing"
    if sum(s.supported for s in sentences) * 2 < len(sentences):
        return "mostly unsupported"
    return None
