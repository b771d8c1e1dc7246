"""One eval run: index the notes once, run every system on the same questions, score, report.

Each system is built once and timed per question on this machine, so latencies are comparable
within a report (not across machines). The index lives in a temporary directory: eval never touches
the service's index, and works on any notes dir.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path
from typing import Any

from core.settings import Settings, get_settings
from eval import scoring
from eval.dataset import Question, validate
from eval.passage_vectors import PassageVectors
from eval.systems import RETRIEVAL_MODES, SYSTEMS, Search, retriever_search
from eval.threshold import choose, default_grid, sweep
from ingest.pipeline import corpus_roots, ingest_corpus, ingest_options
from ingest.store import open_index
from models.embedder import embedder_for
from retrieval.retriever import Hit, Retriever
from service.answer import Answer, AnswerPipeline, Evidence

Log = Callable[[str], None]
K = scoring.K


@dataclass
class SystemRun:
    """What one system did on every question."""

    name: str
    hits: dict[str, list[Hit]] = field(default_factory=dict)
    retrieval_ms: dict[str, float] = field(default_factory=dict)
    answers: dict[str, Answer] = field(default_factory=dict)
    answer_ms: dict[str, float] = field(default_factory=dict)
    error: str | None = None


@dataclass
class EvalRun:
    questions: list[Question]
    gold: dict[str, scoring.Gold]
    systems: dict[str, SystemRun]
    settings: Settings
    index_seconds: dict[str, float]
    with_answers: bool
    evidence: dict[str, Evidence] = field(default_factory=dict)  # what the service's pipeline retrieved


def timed_retrieval(search: Search, questions: Sequence[Question], run: SystemRun) -> None:
    for q in questions:
        t0 = time.perf_counter()
        run.hits[q.id] = search(q.question, K, "note")
        run.retrieval_ms[q.id] = (time.perf_counter() - t0) * 1000


def timed_answers(answer: Callable[[str], Answer], questions: Sequence[Question], run: SystemRun, log: Log) -> None:
    for i, q in enumerate(questions, start=1):
        t0 = time.perf_counter()
        run.answers[q.id] = answer(q.question)
        run.answer_ms[q.id] = (time.perf_counter() - t0) * 1000
        if i % 10 == 0:
            log(f"  {run.name}: {i}/{len(questions)} answers")


def sample_by_kind(questions: Sequence[Question], n: int) -> list[Question]:
    """The first n questions when kinds take turns (fact, code, unanswerable, fact, ...); all when n <= 0.

    Generating an answer takes seconds to a minute on a shared CPU, so a quick run answers a sample in
    which every kind is represented; every answer system gets the same sample.
    """
    if n <= 0 or n >= len(questions):
        return list(questions)
    by_kind: dict[str, list[Question]] = {}
    for q in questions:
        by_kind.setdefault(q.kind, []).append(q)
    turns = [q for group in zip_longest(*by_kind.values()) for q in group if q is not None]
    chosen = {q.id for q in turns[:n]}
    return [q for q in questions if q.id in chosen]


def build_pipeline(kind: str, retriever: Retriever, embedder: Any, settings: Settings) -> AnswerPipeline:
    """The service's pipeline with the writer under test: the model writer (lora: tuned model + guard), the
    tuned or base model alone (no guard), or quotes (extractive, the default). The model rows run on the
    configured backend, or llama.cpp when the service quotes (NOTECITE_GENERATOR=none)."""
    if kind == "extractive":
        return AnswerPipeline(retriever, embedder, settings.answer)
    from models.generator import load_generator

    generator = load_generator(
        settings.generator if settings.generator != "none" else "llamacpp",
        base_model=settings.base_model,
        adapter=None if kind == "base" else settings.adapter,
        threads=settings.threads,
        cache_dir=settings.cache_dir,
    )
    config = settings.answer if kind == "lora" else settings.answer.model_copy(update={"guard": False})
    return AnswerPipeline(retriever, embedder, config, generator)


def run_eval(
    dataset: Path,
    notes_dir: Path,
    systems: Sequence[str],
    *,
    with_answers: bool = True,
    answer_sample: int = 0,
    code_dir: Path | None = None,
    settings: Settings | None = None,
    log: Log = print,
) -> EvalRun:
    """Validate the dataset, index notes (+ code) in a temporary dir, run and time every system."""
    questions = validate(dataset, notes_dir)
    settings = settings or get_settings()
    embedder = embedder_for(settings)
    runs = {name: SystemRun(name) for name in systems}
    index_seconds: dict[str, float] = {}
    with tempfile.TemporaryDirectory(prefix="notecite-eval-") as tmp:
        # the notes and code under test, never the service's uploads
        corpus = settings.with_overrides(notes_dir=Path(notes_dir), upload_dir=Path(tmp) / "no-uploads")
        corpus = corpus.model_copy(update={"code_dir": Path(code_dir) if code_dir else None})
        t0 = time.perf_counter()
        report = ingest_corpus(
            corpus_roots(corpus),
            Path(tmp) / "index",
            embedder,
            **ingest_options(settings),
        )
        index_seconds["notecite"] = time.perf_counter() - t0
        log(f"indexed: {report.summary()}")
        reader = open_index(Path(tmp) / "index")
        try:
            gold = scoring.gold_spans(questions, reader.source_text)
            t0 = time.perf_counter()
            plain_embedder = embedder
            embedder = PassageVectors(embedder, [n.text for n in reader.get_nodes(reader.node_ids())])
            log(f"passage table: {len(reader.node_ids())} nodes in {time.perf_counter() - t0:.1f} s")
            retriever = Retriever(reader, embedder, settings.retrieval)
            searches: dict[str, Search] = {
                name: retriever_search(retriever, *mode) for name, mode in RETRIEVAL_MODES.items()
            }
            retrieval_runs: dict[str, SystemRun] = {}
            for name in dict.fromkeys(SYSTEMS[s].retrieval for s in systems):
                if name == "llamaindex":
                    from eval.llamaindex_baseline import LlamaIndexBaseline

                    texts = {d.doc: reader.source_text(d.doc) or "" for d in reader.documents() if d.kind == "note"}
                    t0 = time.perf_counter()
                    searches[name] = LlamaIndexBaseline(texts, embedder, settings.embedder).search
                    index_seconds[name] = time.perf_counter() - t0
                run = runs.get(name) or SystemRun(name)
                t0 = time.perf_counter()
                timed_retrieval(searches[name], questions, run)
                retrieval_runs[name] = run
                log(f"{name}: retrieval for {len(questions)} questions in {time.perf_counter() - t0:.1f} s")
            # answers run the service's own pipeline with the plain embedder: the passage table above speeds up
            # retrieval scoring, but the service embeds its sources per answer, and eval times what it serves
            served = Retriever(reader, plain_embedder, settings.retrieval)
            evidence_pipeline = AnswerPipeline(served, plain_embedder, settings.answer)
            run_evidence = {q.id: evidence_pipeline.evidence(q.question) for q in questions}
            for name in systems:
                spec = SYSTEMS[name]
                base = retrieval_runs[spec.retrieval]
                runs[name].hits, runs[name].retrieval_ms = base.hits, base.retrieval_ms
                if with_answers and spec.answerer:
                    try:
                        answerer = build_pipeline(spec.answerer, served, plain_embedder, settings).answer
                    except Exception as exc:  # a missing adapter or model must not sink the other systems
                        runs[name].error = f"{type(exc).__name__}: {exc}"
                        log(f"{name}: no answers ({runs[name].error})")
                        continue
                    t0 = time.perf_counter()
                    asked = sample_by_kind(questions, answer_sample)
                    timed_answers(answerer, asked, runs[name], log)
                    log(f"{name}: {len(asked)} answers in {time.perf_counter() - t0:.1f} s")
        finally:
            reader.close()
    return EvalRun(questions, gold, runs, settings, index_seconds, with_answers, run_evidence)


def threshold_sweep(run: EvalRun) -> dict[str, Any] | None:
    """The service's abstain rule (service.abstain) on the evidence its pipeline retrieved, per threshold."""
    if not run.evidence:
        return None
    config = run.settings.answer

    def abstained_at(threshold: float) -> dict[str, bool]:
        at = config.model_copy(update={"abstain_threshold": threshold})
        return {q: ev.abstains(at) for q, ev in run.evidence.items()}

    unanswerable = {q.id: q.kind == "unanswerable" for q in run.questions}
    rows = sweep(abstained_at, unanswerable, default_grid())
    chosen = choose(rows)
    (current,) = sweep(abstained_at, unanswerable, [config.abstain_threshold])
    return {
        "rule": "service.abstain.should_abstain on the pipeline's evidence "
        f"(top {config.top_k} notes; near_topic_threshold {config.near_topic_threshold}, "
        f"unknown_terms {config.unknown_terms}, key_term_coverage {config.key_term_coverage}, "
        f"named_term_coverage {config.named_term_coverage})",
        "chosen": chosen.threshold,
        "abstention_accuracy": chosen.abstention_accuracy,
        "false_abstain_rate": chosen.false_abstain_rate,
        "current": run.settings.answer.abstain_threshold,
        "current_abstention_accuracy": current.abstention_accuracy,
        "current_false_abstain_rate": current.false_abstain_rate,
        "sweep": [[r.threshold, r.abstention_accuracy, r.false_abstain_rate] for r in rows],
    }


def p50(values: dict[str, float]) -> float | None:
    return float(statistics.median(values.values())) if values else None
