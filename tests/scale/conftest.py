"""Scale-out fixtures: the real embedder, the user's notes indexed once (embedded store), a real llama.cpp server."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from core.settings import Settings, StoreSettings
from ingest.pipeline import CorpusRoot, IngestReport, ingest_corpus
from models.embedder import Embedder, load_embedder

REPO_ROOT = Path(__file__).resolve().parents[2]


def worker_config(
    notes: Path, index: Path, tmp: Path, store: StoreSettings | None = None
) -> tuple[dict[str, str], Settings]:
    """(environment of a worker process, the same settings for a worker in this process) serving `index`."""
    store = store or StoreSettings()
    env = {
        **os.environ,
        "PYTHONPATH": str(REPO_ROOT),
        "NOTECITE_NOTES_DIR": str(notes),
        "NOTECITE_INDEX_DIR": str(index),
        "NOTECITE_UPLOAD_DIR": str(tmp / "uploads"),
        "NOTECITE_CODE_DIR": str(tmp / "no-code"),
        "NOTECITE_GENERATOR": "none",
        "NOTECITE_LIMITS__RATE_LIMIT_PER_MINUTE": "100000",
        "NOTECITE_STORE__BACKEND": store.backend,
        "NOTECITE_STORE__MILVUS_URI": store.milvus_uri,
        "NOTECITE_STORE__COLLECTION_PREFIX": store.collection_prefix,
        "HF_HUB_OFFLINE": "1",
    }
    if store.milvus_token is not None:
        env["NOTECITE_STORE__MILVUS_TOKEN"] = store.milvus_token
    settings = Settings(
        notes_dir=notes,
        index_dir=index,
        upload_dir=tmp / "uploads",
        code_dir=tmp / "no-code",
        generator="none",
        limits={"rate_limit_per_minute": 100_000},
        store=store,
        _env_file=None,
    )
    return env, settings


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    return load_embedder()


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
    from eval.load_bench import wait_until_up
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
        wait_until_up(url + "/models", proc, log, timeout_s=120)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=30)
