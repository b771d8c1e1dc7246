"""Scale-out fixtures: the real embedder, the user's notes indexed once (embedded store), a real llama.cpp server."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx
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
    for path in files[:3]:  # the three smallest: the same kinds of notes in a fifth of the embedding time
        shutil.copy(path, notes / path.name)
    report = ingest_corpus([CorpusRoot(notes)], root / "embedded", embedder)
    return notes, root / "embedded", report


@pytest.fixture(scope="session")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """llama-cpp-python's own OpenAI-compatible server on loopback, serving the shipped SmolLM2 GGUF."""
    from models.registry import gguf_path
    from service.server import free_port

    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf_path("smollm2-135m-instruct"))]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1"]
    cmd += ["--model_alias", "smollm2-135m-instruct"]
    log = tmp_path_factory.mktemp("llama-server") / "server.log"  # a file: a full pipe would stall the server
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=open(log, "wb"))  # noqa: SIM115
    url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(url + "/models", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"llama_cpp.server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.3)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
