"""Ingest fixtures: the real embedder, a counting wrapper, and one index of the real notes per session."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from ingest.pipeline import CorpusRoot, IngestReport, ingest_corpus
from models.embedder import Embedder, load_embedder

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ingest"


class CountingEmbedder:
    """The real embedder, counting the texts it was asked to embed (and optionally failing)."""

    def __init__(self, inner: Embedder, fail_after: int | None = None) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.texts: list[str] = []
        self.fail_after = fail_after

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        if self.fail_after is not None and len(self.texts) + len(texts) > self.fail_after:
            raise RuntimeError("simulated crash while embedding")
        self.texts.extend(texts)
        return self.inner.embed(texts, batch_size=batch_size)


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return load_embedder()


@pytest.fixture
def counting(embedder: Embedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def notes_index(
    notes_dir: Path, embedder: Embedder, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, IngestReport]:
    """The user's notes, ingested once (the slowest step of this suite)."""
    index_dir = tmp_path_factory.mktemp("notes-index")
    report = ingest_corpus([CorpusRoot(notes_dir)], index_dir, embedder)
    return index_dir, report


def write_corpus(root: Path, files: dict[str, str]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


SMALL_CORPUS = {
    "lora.txt": (
        "LoRA Notes\n"
        "LoRA\n"
        "LoRA keeps the pretrained weight matrix W_0 frozen and learns a low-rank update B A.\n"
        "Only the small matrices A and B receive gradients, so fine-tuning is cheap.\n"
        "What is the rank r?\n"
        "The rank r is much smaller than the hidden size.\n"
    ),
    "optim.md": (
        "# Optimizers\n\n"
        "## Adam\n\nAdam keeps running averages of the gradient and its square.\n\n"
        "## Momentum\n\nMomentum smooths the updates with an exponentially weighted average.\n"
    ),
    "sub/cnn.txt": (
        "Convolutions\nPooling\nMax pooling keeps the largest activation in each window of the feature map.\n"
    ),
}


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    return write_corpus(tmp_path / "notes", SMALL_CORPUS)


@pytest.fixture
def corpus_files() -> dict[str, str]:
    return dict(SMALL_CORPUS)


@pytest.fixture
def writer():
    """`write_corpus(root, files)`, handed to tests (conftest modules are not importable)."""
    return write_corpus


@pytest.fixture
def make_counting(embedder: Embedder):
    """Build a CountingEmbedder, optionally one that fails after N texts."""
    return lambda fail_after=None: CountingEmbedder(embedder, fail_after)
