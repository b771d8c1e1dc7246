"""The heavy objects a running service holds: built once in the app's lifespan, shared by handlers.

The index is the only part that changes while serving: an upload or delete ingests a new generation and
swaps the retriever and pipeline in one assignment, so a request in flight keeps the generation it began
with and the next one sees the new one.
"""

from __future__ import annotations

import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from ingest.errors import SkippedFile
from ingest.loaders import NOTE_SUFFIXES, load_file
from ingest.pipeline import UPLOAD_PREFIX, IngestReport, corpus_roots, ingest_corpus
from ingest.schema import DocumentRecord
from ingest.store import open_index
from models.embedder import load_embedder
from models.generator import load_generator
from service.answer import AnswerPipeline, Generator
from service.errors import ApiError
from retrieval.retriever import Retriever
from core.settings import Settings

log = logging.getLogger("notecite")

UPLOAD_TYPES = NOTE_SUFFIXES
SAFE_NAME = re.compile(r"^[\w\- .()]+$")


def log_progress(stage: str, done: int, total: int) -> None:
    """Ingest progress for the server log: a line per tenth of the work, not per file."""
    if total and (done == total or done % max(1, total // 10) == 0):
        log.info("ingest %s: %d/%d", stage, done, total)


@dataclass(frozen=True)
class Served:
    """One index generation and the pipeline over it; replaced whole, never mutated."""

    generation: str
    retriever: Retriever
    pipeline: AnswerPipeline


class Resources:
    def __init__(self, settings: Settings, generator: Generator):
        self.settings = settings
        self.embedder = load_embedder(settings.embedder)
        self.generator = generator
        self._ingest_lock = threading.RLock()  # held across write -> ingest -> restore of an upload
        self.served = self._open()

    @classmethod
    def build(cls, settings: Settings) -> Resources:
        """Bring the index up to date with the notes (incremental), then load the models."""
        settings.uploads.mkdir(parents=True, exist_ok=True)
        report = ingest_corpus(
            corpus_roots(settings),
            settings.index_dir,
            load_embedder(settings.embedder),
            max_file_bytes=settings.limits.max_file_bytes,
            progress=log_progress,
        )
        log.info(
            "index %s: %d files, %d chunks (%d embedded, %d removed, %d skipped) in %.1f s",
            report.generation,
            report.files,
            report.chunks,
            report.embedded,
            report.removed,
            len(report.skipped),
            report.seconds,
        )
        for doc, reason in report.skipped:
            log.warning("skipped %s: %s", doc, reason)
        generator = load_generator(
            settings.generator,
            base_model=settings.base_model,
            adapter=settings.adapter,
            threads=settings.threads,
            cache_dir=settings.cache_dir,
        )
        return cls(settings, generator)

    def _open(self) -> Served:
        reader = open_index(self.settings.index_dir)
        retriever = Retriever(reader, self.embedder, self.settings.retrieval)
        pipeline = AnswerPipeline(retriever, self.generator, self.embedder, self.settings.answer)
        return Served(reader.generation, retriever, pipeline)

    @property
    def reader(self):  # noqa: ANN201 - ingest's IndexReader
        return self.served.retriever.reader

    def reingest(self) -> IngestReport:
        """Ingest every root again (only changed files are embedded) and serve the new generation."""
        with self._ingest_lock:
            report = ingest_corpus(
                corpus_roots(self.settings),
                self.settings.index_dir,
                self.embedder,
                max_file_bytes=self.settings.limits.max_file_bytes,
            )
            self.served = self._open()
            return report

    def add_upload(self, filename: str, data: bytes) -> tuple[DocumentRecord, IngestReport]:
        """Store an uploaded note and index it; a file ingest rejects is removed again (index unchanged)."""
        name = filename or ""
        suffix = Path(name).suffix.lower()
        if not SAFE_NAME.match(name) or name.startswith(".") or Path(name).name != name:
            raise ApiError(400, "bad file name", f"{filename!r}: use letters, digits, '-', '_', '.', spaces")
        if suffix not in UPLOAD_TYPES:
            raise ApiError(415, "unsupported file type", f"{name}: upload one of {', '.join(sorted(UPLOAD_TYPES))}")
        if len(data) > self.settings.limits.max_upload_bytes:
            raise ApiError(
                413, "file too large", f"{name} is {len(data)} bytes; the limit is {self.settings.limits.max_upload_bytes}"
            )
        if not data.strip():
            raise ApiError(400, "empty file", f"{name} is empty; nothing to index")
        target = self.settings.uploads / name
        doc = UPLOAD_PREFIX + name
        with self._ingest_lock:
            target.parent.mkdir(parents=True, exist_ok=True)
            previous = target.read_bytes() if target.exists() else None
            tmp = target.with_name(f".upload-{name}")  # hidden, so a concurrent ingest never reads it
            tmp.write_bytes(data)
            try:  # ingest's own checks first: a file it would skip never touches the index
                load_file(tmp, doc, max_file_bytes=self.settings.limits.max_file_bytes)
            except SkippedFile as exc:
                tmp.unlink(missing_ok=True)
                raise ApiError(400, "file not indexed", f"{name}: {exc}") from None
            tmp.replace(target)
            try:
                report = self.reingest()
            except Exception:
                self._restore(target, previous)
                raise
            skipped = dict(report.skipped)
            if doc in skipped:
                self._restore(target, previous)
                self.reingest()
                raise ApiError(400, "file not indexed", f"{name}: {skipped[doc]}")
            record = next(d for d in self.reader.documents() if d.doc == doc)
        return record, report

    @staticmethod
    def _restore(target: Path, previous: bytes | None) -> None:
        if previous is None:
            target.unlink(missing_ok=True)
        else:
            target.write_bytes(previous)

    def delete_document(self, doc: str) -> IngestReport:
        """Remove an uploaded note from disk and index; notes in the notes dir are the user's own files."""
        with self._ingest_lock:
            return self._delete_upload(doc)

    def _delete_upload(self, doc: str) -> IngestReport:
        known = {d.doc for d in self.reader.documents()}
        if doc not in known:
            raise ApiError(404, "unknown document", f"{doc!r} is not in the index; GET /api/documents lists them")
        if not doc.startswith(UPLOAD_PREFIX):
            raise ApiError(
                409, "not deletable", f"{doc!r} lives in the notes folder ({self.settings.notes_dir}); remove it there"
            )
        (self.settings.uploads / doc.removeprefix(UPLOAD_PREFIX)).unlink(missing_ok=True)
        return self.reingest()
