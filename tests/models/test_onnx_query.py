"""The onnxruntime query path (models.onnx_query) against SentenceTransformer.encode, and its fallbacks.

A single text goes through onnxruntime only when its vectors equal encode()'s (cosine >= 0.999); with the
setting off, without onnxruntime, or with an export that will not load, queries still embed correctly.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import numpy as np
import pytest

from core.settings import Settings, get_settings
from models.embedder import (
    EQUIVALENT_COSINE,
    Embedder,
    embedder_for,
    encoded,
    min_cosine,
    onnx_cache,
    query_path_for,
)
from models.onnx_query import GRAPH, WEIGHTS
from service.bench import load_queries

ODD = ["", "   padded   ", "ünïcödé ∆W = AB ≪ d", "def f(x):\n    return x ** 2", "word " * 400, "a"]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return embedder_for(get_settings())


@pytest.fixture(scope="module")
def questions() -> list[str]:
    return load_queries(Path("eval/datasets/notes_dev.jsonl"))[::10] + ODD


def test_a_query_goes_through_onnxruntime_and_equals_encode(embedder: Embedder, questions: list[str]) -> None:
    assert embedder.query_path == "onnxruntime" and embedder.path == "fast-cpu"
    ours = np.vstack([embedder.embed([q]) for q in questions])
    assert ours.dtype == np.float32 and ours.shape == (len(questions), 384)
    assert min_cosine(ours, encoded(embedder._model, questions)) >= EQUIVALENT_COSINE
    # a batch keeps the torch path, and a text gets the same vector either way
    np.testing.assert_allclose(embedder.embed(questions[:4]), ours[:4], atol=1e-5)


def test_the_setting_off_keeps_the_torch_path(embedder: Embedder, questions: list[str]) -> None:
    off = Settings(_env_file=None, query_onnx=False)
    assert onnx_cache(off) is None
    assert query_path_for(embedder._model, onnx_cache(off), embedder.name) is None
    torch_only = Embedder(embedder.name, embedder._model, 384, embedder.fast)
    assert torch_only.query_path == "fast-cpu"
    np.testing.assert_allclose(torch_only.embed([questions[0]]), embedder.embed([questions[0]]), atol=1e-5)


def test_without_onnxruntime_the_query_path_is_none(
    embedder: Embedder, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # `import onnxruntime` raises ImportError
    assert query_path_for(embedder._model, tmp_path, embedder.name) is None
    assert not any(tmp_path.iterdir())  # nothing exported for nothing


def test_a_damaged_export_is_made_again(embedder: Embedder, tmp_path: Path) -> None:
    """A cached export whose weights file was cut short does not load: it is exported again and checked."""
    good = embedder.query.file  # type: ignore[union-attr]
    copy = tmp_path / good.name
    shutil.copytree(good, copy)
    weights = copy / WEIGHTS
    weights.write_bytes(weights.read_bytes()[:1000])
    query = query_path_for(embedder._model, tmp_path, embedder.name)
    assert query is not None and query.file == copy
    assert weights.stat().st_size == (good / WEIGHTS).stat().st_size and (copy / GRAPH).exists()
