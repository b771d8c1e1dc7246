"""The heavy objects a running service holds: the models, and the index generation being served.

Built once in the app's lifespan. The index is the only part that changes while serving: an upload or
delete ingests a new generation and `reopen()` swaps `served` in one assignment. A request takes one
snapshot (`runtime.served`) and uses only it, so it never mixes two generations.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass

from core.settings import Settings
from ingest.errors import IndexNotFound
from ingest.pipeline import IngestReport, corpus_roots, ingest_corpus, ingest_options
from ingest.store import IndexReader, current_generation, open_index
from models.embedder import Embedder, embedder_for, onnx_cache
from models.generator import Generator, load_generator
from models.tuned_embedder import generation_embedder, ingest_tuner
from retrieval.retriever import Retriever
from service.answer import AnswerPipeline

log = logging.getLogger("notecite")


class ProgressLog:
    """Ingest progress for the server log: a line each time a stage passes a tenth of its work, not per file.
    (Embedding reports per batch of 64, which seldom lands on a multiple of a tenth: a 3-minute first ingest
    logged nothing between the files and the end.)"""

    def __init__(self) -> None:
        self._tenths: dict[str, int] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        tenth = done * 10 // total if total else 0
        if tenth > self._tenths.get(stage, 0):
            self._tenths[stage] = tenth
            log.info("ingest %s: %d/%d", stage, done, total)


def log_report(report: IngestReport) -> None:
    log.info("index %s: %s", report.generation, report.summary())
    for doc, reason in report.skipped:
        log.warning("skipped %s: %s", doc, reason)


@dataclass(frozen=True)
class Served:
    """One index generation and everything built over it; replaced whole, never mutated."""

    generation: str
    reader: IndexReader
    retriever: Retriever
    pipeline: AnswerPipeline


class Runtime:
    def __init__(self, settings: Settings, embedder: Embedder, generator: Generator | None) -> None:
        self.settings = settings
        self.embedder = embedder
        self.generator = generator
        self._reopen = threading.Lock()
        self._served = self.open()
        self.skipped: dict[str, str] = {}  # doc -> why the latest ingest here left it out (GET /api/watch shows it)

    @property
    def served(self) -> Served:
        """The generation CURRENT names. Several workers share one index dir: when another process ingested
        (an upload through another worker), the next request here opens the new generation, no restart.
        Checking costs one small file read; requests already holding the old snapshot finish on it."""
        live = current_generation(self.settings.index_dir)
        if live is not None and live != self._served.generation:
            with self._reopen:
                if live != self._served.generation:
                    try:
                        self._served = self.open()
                    except (IndexNotFound, FileNotFoundError):  # collected meanwhile: keep serving what we have
                        log.warning(
                            "generation %s vanished while opening it; still serving %s", live, self._served.generation
                        )
        return self._served

    @classmethod
    def build(cls, settings: Settings) -> Runtime:
        """Bring the index up to date with the notes (incremental), then load the models."""
        settings.uploads.mkdir(parents=True, exist_ok=True)
        embedder = embedder_for(settings)
        report = ingest(settings, embedder, progress=True)
        log_report(report)
        runtime = cls(settings, embedder, answer_model(settings))
        runtime.skipped = dict(report.skipped)
        return runtime

    def open(self) -> Served:
        reader = open_index(self.settings.index_dir, self.settings.store)
        embedder = generation_embedder(  # a tuned one lives there
            reader.path, reader.embedder_name, self.embedder, onnx_dir=onnx_cache(self.settings)
        )
        retriever = Retriever(reader, embedder, self.settings.retrieval)
        pipeline = AnswerPipeline(retriever, embedder, self.settings.answer, self.generator)
        return Served(reader.generation, reader, retriever, pipeline)

    def reingest(self) -> IngestReport:
        """Ingest every root again (only changed files are embedded) and serve the new generation."""
        report = ingest(self.settings, self.embedder)
        with self._reopen:
            self._served = self.open()
        self.skipped = dict(report.skipped)
        return report


def answer_model(settings: Settings) -> Generator | None:
    """The answer model the settings name, loaded once per process; None: the extractive writer answers."""
    if settings.generator == "none":
        return None
    return load_generator(
        settings.generator,
        base_model=settings.base_model,
        adapter=settings.adapter,
        threads=settings.threads,
        cache_dir=settings.cache_dir,
        openai=settings.openai,
    )


def ingest(settings: Settings, embedder: Embedder, *, progress: bool = False) -> IngestReport:
    return ingest_corpus(
        corpus_roots(settings),
        settings.index_dir,
        embedder,
        **ingest_options(settings),
        progress=ProgressLog() if progress else None,
        store=settings.store,
        tuner=ingest_tuner(settings),
    )
