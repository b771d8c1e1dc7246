"""Scale-out fixtures: the real embedder, the user's notes indexed once with the embedded store."""

from __future__ import annotations

import shutil
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import CorpusRoot, IngestReport, ingest_corpus
from models.embedder import Embedder, load_embedder


class CountingEmbedder:
    """The real embedder, counting what it was asked to embed."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim = inner, inner.name, inner.dim
        self.texts: list[str] = []

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        self.texts.extend(texts)
        return self.inner.embed(texts, batch_size=batch_size)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return load_embedder()


@pytest.fixture
def make_counting(embedder: Embedder):
    return lambda: CountingEmbedder(embedder)


@pytest.fixture(scope="session")
def embedded_notes_index(
    notes_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, IngestReport]:
    """(notes copy, index dir, report): a copy of the notes (tests may add files) indexed by FAISS + BM25."""
    root = tmp_path_factory.mktemp("scale")
    notes = root / "notes"
    notes.mkdir()
    files = sorted(notes_dir.iterdir(), key=lambda p: p.stat().st_size)
    for path in files[:-1]:  # all but the largest: the same kinds of notes in a third of the embedding time
        shutil.copy(path, notes / path.name)
    report = ingest_corpus([CorpusRoot(notes)], root / "embedded", embedder)
    return notes, root / "embedded", report
