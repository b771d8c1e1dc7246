"""The one answer pipeline the API, `notecite ask` and eval share.

retrieve -> abstain when the evidence is weak (service/abstain.py) -> a writer writes from the numbered
sources (service/writers.py: the model, guarded, or quotes) -> citations, code pointers -> Answer.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from core.settings import AnswerSettings
from core.text import with_markers
from models.generator import Generator
from models.prompts import REFUSAL
from retrieval.retriever import EmbedderLike, Hit, Retriever, ScopeSpan
from retrieval.terms import TermRarity, key_stems
from service.abstain import (
    cosine_blind,
    evidence_strength,
    held_name,
    in_notes_wording,
    key_term_coverage,
    known_coverage,
    opaque_terms,
    should_abstain,
    sources_naming,
    telling_unknown,
    unknown_terms,
    unnamed_compared,
    unnamed_subject,
)
from service.attribution import AnsweredSentence, join_sentences
from service.conversation import rewrite_query
from service.title_answers import cites_asked
from service.writers import NO_LIMITS, Draft, ExtractiveWriter, GenerationLimits, ModelWriter, Quote, TokenEvent, Writer

# prose, not code, written or built: "write me a summary of dropout", "how could I build intuition for it?"
PROSE = (
    r"(?!\s+(?:an?\s+|the\s+|some\s+|my\s+)?(?:short\s+|brief\s+|quick\s+|better\s+|good\s+)?"
    r"(?:summary|explanation|notes?|essay|paragraph|list|description|overview|definition|intuition)\b)"
)
CODE_QUESTION = re.compile(
    rf"\b(how (do|can|could|would|should|to) (i|you|we|one)?\s*(code|implement|write|program|build)\b{PROSE}|"
    r"(implement|implementation|code|coding|python|numpy)\b.*\b(for|of|a|an|the)\b|"
    r"\b(in|with|using) (code|numpy|python|pytorch)\b|"  # "how can I compute a BLEU score in code?"
    r"\b(snippet|pseudo-?code)\b|"
    r"(?<!train )(?<!trained )(?<!training )\bfrom scratch\b|"  # "lstm cell from scratch?", not "trained from scratch"
    r"\b(numpy|python|pytorch) (function|class|implementation)\b|"  # "numpy function to turn log probs into ...?"
    r"\bwrite (a|an|the|some|my own) (function|class|script|program)\b|"
    r"(show|give) me (the )?code|"
    rf"\bwrite me\b{PROSE}|"  # "write me bleu with clipped counts", not "write me a summary of dropout"
    r"^(the )?code (to|for|that)\b)",  # "code to turn documents into count vectors?"
    re.I,
)


@dataclass
class Citation:
    """What the UI needs to open a cited source: {n, kind, doc, breadcrumbs, start, end, quote, spans} (+ code).

    `spans` are the characters the answer used, exactly: one per sentence quoted from the source, in document
    order, or the whole passage when a model wrote from it. `start`, `end` and `quote` are the range covering
    them (the whole passage when not quoted): where to open the source, and what clients that predate `spans`
    read. It may hold text between two quotes that the answer did not use, but never leaves a quote out.
    """

    n: int
    kind: str
    doc: str
    breadcrumbs: list[str]
    start: int
    end: int
    quote: str
    spans: list[Quote]
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
            spans=[Quote(hit.start, hit.end, hit.text)],
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
    generated_tokens: int = 0  # tokens the model generated, by its backend's count (0 when nothing was generated)
    writer: str = "model"  # who wrote it: "model", "extractive" (quotes), or "abstained"
    replaced: str | None = None  # why the guard replaced the model's answer by quotes, if it did
    at_token_limit: bool = False  # the model's answer (shown) ended at its token limit, not at its end of turn

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Evidence:
    """One question's retrieval: what the abstain decision and the writer see."""

    question: str
    query: str
    sources: list[Hit]
    code_question: bool
    strength: float  # the best source's cosine with the query
    unknown_terms: list[str]  # the question's topic words that occur nowhere in the notes
    coverage: float = 1.0  # the best note source's share of the question's key-term weight
    opaque_terms: list[str] = field(default_factory=list)  # topic words the embedder reads only as pieces (`question`)
    cosine_blind: bool = False  # the embedder reads none of its topic words: `strength` says nothing
    unnamed_subject: list[str] = field(default_factory=list)  # names in its subject the notes never use
    asked: str = ""  # the question in the notes' words ("autodiff" -> "automatic differentiation"): what is quoted for
    held_name: list[str] = field(default_factory=list)  # names it asks about that the embedder reads as pieces
    opaque_asked: list[str] = field(default_factory=list)  # `opaque_terms` of `asked`: what the abstain rule reads
    unnamed_compared: list[str] = field(default_factory=list)  # names on a side of a comparison the notes never use
    known_coverage: float = 0.0  # `coverage` of its key terms the notes use (`service.abstain.known_coverage`)
    cited: bool = False  # it asks who wrote a paper a source's title cites (`service.title_answers.cites_asked`)

    def quoted(self, config: AnswerSettings) -> Evidence:
        """The evidence the writer quotes from, once it answers: at weak evidence (answered for a name the embedder
        cannot read) the cosine ranked the sources blind, so only those holding the name ("what is
        SettingWithCopyWarning?" quoted a note on the bootstrap). Not in `abstains`: eval's threshold sweep reads
        the verdict at other thresholds on this same evidence."""
        if self.strength >= config.abstain_threshold:
            return self
        naming = sources_naming(self.opaque_asked, self.unknown_terms, self.sources)
        return replace(self, sources=naming or self.sources)

    def abstains(self, config: AnswerSettings) -> bool:
        """The abstain rule read on one question, `asked` (its unknown words, coverage and opaque words alike). Weak
        evidence for a question whose paper a title cites is answered by that citation; the rules for comparisons and
        for questions the embedder cannot read still hold."""
        weak_but_cited = self.cited and self.strength < config.abstain_threshold
        if weak_but_cited and not self.unnamed_compared and not self.cosine_blind:
            return False
        return should_abstain(
            self.strength,
            self.unknown_terms,
            config,
            self.coverage,
            self.opaque_asked,
            self.cosine_blind,
            self.unnamed_subject,
            self.held_name,
            self.unnamed_compared,
            self.known_coverage,
        )


@dataclass
class AnswerEvent:
    answer: Answer


def is_code_question(question: str) -> bool:
    """ "How do I code a GRU cell?" wants code; "what is a GRU?" does not."""
    return bool(CODE_QUESTION.search(question))


def covers_code_topic(question: str, hit: Hit, rarity: TermRarity, config: AnswerSettings) -> bool:
    """Whether a code symbol is about what the question asks: the best symbol for "how do I write a decorator?"
    in reference code without one is some other function, and a pointer to it would mislead."""
    if (hit.dense_score or 0.0) >= config.code_cosine:
        return True
    return rarity.shared(key_stems(question), f"{hit.doc} {hit.symbol or ''} {hit.text}") >= config.code_key_terms


def code_pointer(n: int, hit: Hit) -> AnsweredSentence:
    """The sentence that links source [n], a code symbol, into an answer."""
    text = f"Reference implementation: {hit.symbol} in {hit.doc}, lines {hit.line_start}-{hit.line_end}."
    return AnsweredSentence(with_markers(text, [n]), [n], supported=True, support=1.0, separator="\n")


class AnswerPipeline:
    """Answers questions from one index generation: retrieve, decide to abstain, write, cite."""

    def __init__(
        self, retriever: Retriever, embedder: EmbedderLike, config: AnswerSettings, generator: Generator | None = None
    ) -> None:
        self.retriever = retriever
        self.embedder = embedder
        self.config = config

        def rarity() -> TermRarity:
            return retriever.term_rarity

        self.writer: Writer = (
            ModelWriter(generator, embedder, config, rarity)
            if generator is not None
            else ExtractiveWriter(embedder, config, rarity)
        )

    def answer(
        self, question: str, history: Sequence[dict[str, Any]] = (), scope: Sequence[ScopeSpan] | None = None
    ) -> Answer:
        """The whole answer at once (the streaming path, consumed)."""
        for event in self.stream(question, history, scope):
            if isinstance(event, AnswerEvent):
                return event.answer
        raise RuntimeError("the answer stream ended without an answer")

    def query_for(self, question: str, history: Sequence[dict[str, Any]] = ()) -> str:
        """What retrieval searches for `question` in its conversation: a follow-up carries the topic it leans
        on (service.conversation); the same for /api/ask, the chat UI and /v1, which all answer through here."""
        return self.rewrite(question.strip(), history)

    def rewrite(self, question: str, history: Sequence[dict[str, Any]]) -> str:
        return rewrite_query(question, history, self.retriever.term_rarity)

    def evidence(
        self, question: str, history: Sequence[dict[str, Any]] = (), scope: Sequence[ScopeSpan] | None = None
    ) -> Evidence:
        """The query retrieval uses and what it found: note passages, plus code for implementation questions;
        with a `scope`, only passages inside it (so abstention and citations stay inside it too)."""
        question = question.strip()
        code_question = is_code_question(question)
        query = self.query_for(question, history)
        sources = self.sources(query, code_question, scope)
        stems = self.retriever.reader.term_stems
        acronym_passages = self.config.acronym_passages
        asked = in_notes_wording(question, stems, sources, acronym_passages)  # "autodiff": "automatic differentiation"
        if unknown_terms(asked, stems):  # a word the notes lack: may be their words side by side further down
            wider = self.retriever.retrieve(query, k=self.config.wording_passages, kind="note", scope=scope)
            asked = in_notes_wording(question, stems, sources + wider, acronym_passages)
        if asked != question:  # searched again in the notes' words: the embedder reads "autodiff" as pieces
            query = self.query_for(asked, history)
            sources = self.sources(query, code_question, scope)
        opaque = opaque_terms(question, self.embedder)
        opaque_asked = opaque if asked == question else opaque_terms(asked, self.embedder)
        rarity, few = self.retriever.term_rarity, self.config.few_passages
        unknown = telling_unknown(unknown_terms(asked, stems), opaque_asked, rarity, few, asked)
        # a follow-up's key terms are those it was searched with: "did it work?" names none of its own
        coverage = key_term_coverage(self.query_for(asked, history), sources, rarity, few)
        known = known_coverage(self.query_for(asked, history), unknown, sources, rarity, few)
        strength = evidence_strength(sources)
        blind = cosine_blind(question, opaque)
        unnamed = unnamed_subject(asked, unknown, opaque_asked, stems)
        named = held_name(asked, opaque_asked, sources)
        uncompared = unnamed_compared(asked, unknown, opaque_asked, stems)
        return Evidence(
            question,
            query,
            sources,
            code_question,
            strength,
            unknown,
            coverage,
            opaque,
            blind,
            unnamed,
            asked,
            named,
            opaque_asked,
            uncompared,
            known,
            cites_asked(asked, sources),
        )

    def sources(self, query: str, code_question: bool, scope: Sequence[ScopeSpan] | None) -> list[Hit]:
        """The note passages retrieval finds for `query`, plus code on the question's topic for an implementation
        question."""
        sources = self.retriever.retrieve(query, k=self.config.top_k, kind="note", scope=scope)
        if code_question and self.config.code_k:
            code = self.retriever.retrieve(query, k=self.config.code_k, kind="code", merge=False, scope=scope)
            sources += [h for h in code if covers_code_topic(query, h, self.retriever.term_rarity, self.config)]
        return sources

    def stream(
        self,
        question: str,
        history: Sequence[dict[str, Any]] = (),
        scope: Sequence[ScopeSpan] | None = None,
        limits: GenerationLimits = NO_LIMITS,
    ) -> Iterator[TokenEvent | AnswerEvent]:
        """Token events while the writer writes, then one AnswerEvent with the checked citations; `limits`
        are a client's on the model's generation (the quoting writer takes none)."""
        t0 = time.perf_counter()
        ev = self.evidence(question, history, scope)
        timings = {"retrieval": (time.perf_counter() - t0) * 1000}
        draft = None
        if not ev.abstains(self.config):
            ev = ev.quoted(self.config)  # the sources it quotes and cites
            writing = self.writer.write(ev.asked or ev.question, ev.sources, limits)
            try:
                while True:
                    event = next(writing)
                    timings.setdefault("first_token", (time.perf_counter() - t0) * 1000)
                    yield event
            except StopIteration as done:
                draft = done.value
            finally:
                writing.close()  # a client that left mid-answer stops the writer (and frees the model) now
        has_code = any(h.kind == "code" for h in ev.sources)
        if draft is None and not (ev.code_question and has_code):
            yield AnswerEvent(self.finish(ev, None, timings, t0))
            return
        yield AnswerEvent(self.finish(ev, draft or Draft([], self.writer.name), timings, t0))

    def finish(self, ev: Evidence, draft: Draft | None, timings: dict[str, float], t0: float) -> Answer:
        """The Answer: citations numbered as the sources were, code pointers appended; None abstains."""
        if draft is None:
            sentences, citations, writer = [AnsweredSentence(REFUSAL, supported=True)], [], "abstained"
        else:
            sentences, writer = list(draft.sentences), draft.writer
            if ev.code_question:
                if sentences:
                    sentences[-1].separator = "\n\n"
                n_notes = sum(h.kind == "note" for h in ev.sources)
                explained = any(n <= n_notes for s in sentences for n in s.citations)
                sentences += code_pointers(ev.sources, explained, self.config.abstain_threshold)
            cited = sorted({n for s in sentences for n in s.citations})
            citations = [citation(n, ev.sources[n - 1], draft.quotes.get(n, [])) for n in cited]
        timings["total"] = (time.perf_counter() - t0) * 1000
        abstained = draft is None
        return Answer(
            id=uuid.uuid4().hex,
            question=ev.question,
            query=ev.query,
            text=join_sentences(sentences),
            abstained=abstained,
            citations=citations,
            sentences=sentences,
            sources=ev.sources,
            nearest=ev.sources if abstained else [],
            code_question=ev.code_question,
            timings_ms=timings,
            generated_tokens=draft.generated_tokens if draft else 0,
            writer=writer,
            replaced=draft.replaced if draft else None,
            at_token_limit=draft.at_token_limit if draft else False,
        )


def citation(n: int, hit: Hit, quotes: list[Quote]) -> Citation:
    """Source n as cited: the whole hit, or only the sentences quoted from it (in document order)."""
    if not quotes:
        return Citation.from_hit(n, hit)
    start, end = quotes[0].start, quotes[-1].end
    covering = hit.text[start - hit.start : end - hit.start]
    return Citation(n, hit.kind, hit.doc, hit.breadcrumbs, start, end, covering, quotes)


def code_pointers(sources: list[Hit], explained: bool, threshold: float) -> list[AnsweredSentence]:
    """Sentences naming the reference implementation and, when no note was cited, the passage that
    explains it: a code answer always links both."""
    out = []
    best_note = next((n for n, h in enumerate(sources, start=1) if h.kind == "note"), None)
    if not explained and best_note is not None:
        hit = sources[best_note - 1]
        if (hit.dense_score or 0.0) >= threshold:
            text = f"Explained in your notes: {' > '.join(hit.breadcrumbs[1:] or hit.breadcrumbs)}."
            out.append(AnsweredSentence(with_markers(text, [best_note]), [best_note], True, 1.0, "\n"))
    return out + [code_pointer(n, h) for n, h in enumerate(sources, start=1) if h.kind == "code"]
