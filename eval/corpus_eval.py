"""Retrieval and answers on every corpus: the seed notes and the dev corpora other people wrote, per half.

One index per corpus, every retrieval system on both halves' questions, scored per half: tune on `dev`,
report `test`. Answers are the service's quoting writer (its default) through the service's own pipeline,
scored as the main eval scores them, with the oracle (the gold quote) beside; the model writers are the main
eval's job, so all corpora still run in minutes.
"""

from __future__ import annotations

import json
import tempfile
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from core.settings import RetrievalSettings, Settings, get_settings
from eval import scoring
from eval.corpora import CORPORA, DATASETS, SEED, fetch
from eval.dataset import Question, validate
from eval.runner import SystemRun, p50, timed_answers, timed_retrieval
from eval.systems import RETRIEVAL_MODES, Search, retriever_search
from ingest.pipeline import corpus_roots, ingest_corpus, ingest_options
from ingest.store import IndexReader, open_index
from models.embedder import embedder_for
from retrieval.retriever import Retriever
from service.answer import AnswerPipeline

Log = Callable[[str], None]
SPLITS = ("dev", "test")
CORPUS_SYSTEMS = ("bm25", "dense", "hybrid", "hybrid+merge", "hybrid+sections", "llamaindex")
# hybrid+sections: the old AutoMergingRetriever rule (a section of any length replaces its passages), kept as a row
# so the README shows what merging costs on each corpus
SECTIONS = "hybrid+sections"
CORPUS_NAMES = (SEED, *CORPORA)


@dataclass
class CorpusRun:
    """Scores of every system on each half of one corpus's questions."""

    name: str
    n_questions: dict[str, int]
    scores: dict[str, dict[str, dict[str, float]]] = field(default_factory=dict)  # split -> system -> metric
    answers: dict[str, dict[str, float | None]] = field(default_factory=dict)  # split -> answer metric
    index_seconds: float = 0.0


def corpus_inputs(name: str, settings: Settings, log: Log) -> tuple[Path, dict[str, Path]]:
    """(notes dir, split -> dataset) of a corpus, fetching a packaged one into the cache first."""
    if name == SEED:
        return settings.notes_dir, {s: DATASETS / f"notes_{s}.jsonl" for s in SPLITS}
    return fetch(name, settings.cache_dir, log=log), {s: CORPORA[name].dataset(s) for s in SPLITS}


def build_index(notes: Path, index_dir: Path, embedder: Any, settings: Settings, code: bool = False) -> IndexReader:
    """The corpus's index, never the service's uploads; `code`: the reference code beside it, as the service
    indexes it (the seed notes' code questions are answered from it; retrieval is scored over notes only)."""
    corpus = settings.with_overrides(notes_dir=notes, upload_dir=index_dir.parent / "no-uploads")
    roots = corpus_roots(corpus.model_copy(update={"code_dir": settings.code_dir if code else None}))
    ingest_corpus(roots, index_dir, embedder, **ingest_options(settings))
    return open_index(index_dir)


def searches_for(
    reader: IndexReader, embedder: Any, params: RetrievalSettings, systems: Sequence[str], embedder_name: str
) -> dict[str, Search]:
    """Each system's search over one index; llama-index's baseline builds its own index of the texts."""
    retriever = Retriever(reader, embedder, params)
    out: dict[str, Search] = {}
    for name in systems:
        if name == SECTIONS:
            merging = Retriever(reader, embedder, params.model_copy(update={"merge_max_chars": 10**9}))
            out[name] = retriever_search(merging, "hybrid", True)
        elif name == "llamaindex":
            from eval.llamaindex_baseline import LlamaIndexBaseline

            texts = {d.doc: reader.source_text(d.doc) or "" for d in reader.documents() if d.kind == "note"}
            out[name] = LlamaIndexBaseline(texts, embedder, embedder_name).search
        else:
            out[name] = retriever_search(retriever, *RETRIEVAL_MODES[name])
    return out


def score_split(
    questions: Sequence[Question], search: Search, source_text: Callable[[str], str | None]
) -> dict[str, float]:
    """Retrieval metrics and the p50 latency of one system on one half."""
    run = SystemRun("search")
    timed_retrieval(search, questions, run)
    summary = scoring.score_retrieval(questions, run.hits, scoring.gold_spans(questions, source_text)).summary
    return summary | {"retrieval_p50_ms": p50(run.retrieval_ms)}


ANSWER_COLUMNS = (
    "rougeL",
    "token_f1",
    "gold_cited",
    "citation_gold_precision",
    "abstention_accuracy",
    "false_abstain_rate",
    "answer_p50_ms",
    "oracle_rougeL",
)


def answer_split(
    questions: Sequence[Question], pipeline: AnswerPipeline, source_text: Callable[[str], str | None]
) -> dict[str, float | None]:
    """The pipeline's answers to one half, scored (`scoring.score_answers`), with their p50 and the oracle."""
    run = SystemRun("quotes")
    timed_answers(pipeline.answer, questions, run, log=lambda _: None)
    scores = scoring.score_answers(questions, run.answers, scoring.gold_spans(questions, source_text))
    extra = {"answer_p50_ms": p50(run.answer_ms), "oracle_rougeL": scoring.score_oracle(questions)["rougeL"]}
    return {k: (scores | extra)[k] for k in ANSWER_COLUMNS}


def run_corpus(
    name: str,
    systems: Sequence[str] = CORPUS_SYSTEMS,
    *,
    settings: Settings | None = None,
    params: Mapping[str, RetrievalSettings] | None = None,
    limit: int = 0,
    answers: bool = True,
    log: Log = print,
) -> CorpusRun:
    """Index one corpus in a temporary dir and score every system on its dev and test halves, and the
    service's quoting writer's answers (`answers`).

    `params` gives a system other retrieval settings than the service's (for sweeps); `limit` keeps
    the first N questions of each half (tests)."""
    settings = settings or get_settings()
    notes, datasets = corpus_inputs(name, settings, log)
    halves = {s: validate(p, notes)[: limit or None] for s, p in datasets.items()}
    embedder = embedder_for(settings)
    run = CorpusRun(name, {s: len(qs) for s, qs in halves.items()})
    with tempfile.TemporaryDirectory(prefix="notecite-corpus-eval-") as tmp:
        t0 = time.perf_counter()
        reader = build_index(notes, Path(tmp) / "index", embedder, settings, code=name == SEED)
        run.index_seconds = time.perf_counter() - t0
        try:
            # the plain embedder: each query is embedded inside its timed search, as the service does
            searches: dict[str, Search] = {}
            for system in systems:
                system_params = (params or {}).get(system, settings.retrieval)
                searches |= searches_for(reader, embedder, system_params, [system], settings.embedder)
            for split, questions in halves.items():
                run.scores[split] = {s: score_split(questions, searches[s], reader.source_text) for s in systems}
            if answers:
                pipeline = AnswerPipeline(Retriever(reader, embedder, settings.retrieval), embedder, settings.answer)
                for split, questions in halves.items():
                    run.answers[split] = answer_split(questions, pipeline, reader.source_text)
        finally:
            reader.close()
    log(f"{name}: {run.n_questions} questions, indexed in {run.index_seconds:.1f} s")
    return run


COLUMNS = ("mrr@10", "ndcg@10", "recall@1", "recall@5", "recall@10", "reading_cost_median", "retrieval_p50_ms")


def _fmt(key: str, value: float) -> str:
    return f"{value:.0f}" if key == "reading_cost_median" else f"{value:.1f}" if key.endswith("_ms") else f"{value:.3f}"


def corpus_tables(runs: Sequence[CorpusRun], split: str) -> list[str]:
    """One Markdown table per corpus: a row per system, the columns of COLUMNS."""
    lines: list[str] = []
    for run in runs:
        lines += [
            f"**{run.name}** ({split} half, {run.n_questions[split]} questions)",
            "",
            "| system | " + " | ".join(COLUMNS) + " |",
            "|---" * (len(COLUMNS) + 1) + "|",
        ]
        for system, scores in run.scores[split].items():
            lines.append(f"| {system} | " + " | ".join(_fmt(k, scores[k]) for k in COLUMNS) + " |")
        lines.append("")
    return lines


def answers_table(runs: Sequence[CorpusRun]) -> list[str]:
    """One Markdown table of the quoting writer on every corpus and half (test first): ANSWER_COLUMNS."""
    lines = [
        "| corpus | half | questions | " + " | ".join(ANSWER_COLUMNS) + " |",
        "|---" * (len(ANSWER_COLUMNS) + 3) + "|",
    ]
    for split in ("test", "dev"):
        for run in runs:
            if split in run.answers:
                cells = [_fmt(k, v) if v is not None else "-" for k, v in run.answers[split].items()]
                lines.append(f"| {run.name} | {split} | {run.n_questions[split]} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def write_corpora_report(runs: Sequence[CorpusRun], out: Path) -> list[Path]:
    """corpora.json (every number) and corpora.md (test halves first: they were never tuned on)."""
    out.mkdir(parents=True, exist_ok=True)
    data = {
        r.name: {
            "n_questions": r.n_questions,
            "index_seconds": r.index_seconds,
            "scores": r.scores,
            "answers": r.answers,
        }
        for r in runs
    }
    (out / "corpora.json").write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    md = ["# Retrieval and answers on every corpus", "", "## Test halves (held out)", "", *corpus_tables(runs, "test")]
    md += ["## Dev halves (tuned on)", "", *corpus_tables(runs, "dev")]
    if any(r.answers for r in runs):
        md += ["## Answers: the quoting writer (the service's default)", "", *answers_table(runs)]
    (out / "corpora.md").write_text("\n".join(md), encoding="utf-8")
    return [out / "corpora.json", out / "corpora.md"]
