"""The fast CPU embedding path (models.fast_embed) against plain SentenceTransformer.encode (issue 15).

The path is used only if it gives cosine >= 0.999 against encode(); here on passages of the user's notes
across the whole length range (the longest are truncated at 256 tokens), odd texts, and in any order.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

from core.settings import Settings
from eval.ingest_bench import passage_texts
from models.embedder import (
    EQUIVALENT_COSINE,
    Embedder,
    bf16_equivalent,
    embedder_for,
    fast_path_for,
    load_embedder,
    min_cosine,
)
from models.fast_embed import FastPath, native_bf16

ODD = ["", "   padded   ", "ünïcödé ∆W = AB ≪ d", "def f(x):\n    return x ** 2", "word " * 400, "a"]


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


@pytest.fixture(scope="module")
def texts(notes_dir) -> list[str]:
    """12 seed passages spread evenly over their lengths (shortest and longest included), then odd texts."""
    by_length = sorted(passage_texts(notes_dir), key=len)
    picks = np.linspace(0, len(by_length) - 1, 12).round().astype(int)
    return [by_length[i] for i in picks] + ODD


@pytest.fixture(scope="module")
def ours(embedder: Embedder, texts: list[str]) -> np.ndarray:
    return embedder.embed(texts)


def test_cpu_uses_the_fast_path_and_it_equals_encode(embedder: Embedder, texts: list[str], ours: np.ndarray) -> None:
    assert embedder.path == "fast-cpu"
    plain = embedder.encode(texts)
    assert ours.dtype == np.float32 and ours.shape == plain.shape == (len(texts), 384)
    assert min_cosine(ours, plain) >= EQUIVALENT_COSINE
    assert np.allclose(np.linalg.norm(ours, axis=1), 1.0, atol=1e-5)


def test_order_batching_and_workers_do_not_change_a_vector(
    embedder: Embedder, texts: list[str], ours: np.ndarray
) -> None:
    perm = np.random.default_rng(0).permutation(len(texts))
    np.testing.assert_allclose(embedder.embed([texts[i] for i in perm]), ours[perm], atol=1e-5)
    one_core = FastPath(embedder._model, workers=1)
    np.testing.assert_allclose(one_core.embed(texts, batch_size=5), ours, atol=1e-5)
    for text, vector in zip(texts[-3:], ours[-3:], strict=True):  # a query alone: one batch of one
        np.testing.assert_allclose(embedder.embed([text])[0], vector, atol=1e-5)


def test_torch_threads_are_put_back(embedder: Embedder, texts: list[str]) -> None:
    before = torch.get_num_threads()
    embedder.embed(texts[:8])
    assert torch.get_num_threads() == before


def test_another_pooling_keeps_sentence_transformers(embedder: Embedder) -> None:
    """A model the fast path does not reproduce (CLS pooling) is embedded by encode() itself."""
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.models import Normalize, Pooling

    transformer = embedder._model[0]
    cls = SentenceTransformer(modules=[transformer, Pooling(384, pooling_mode="cls"), Normalize()], device="cpu")
    assert fast_path_for(cls) is None
    assert Embedder("cls", cls, 384, fast_path_for(cls)).path == "sentence-transformers"


def _embed_in_child(embedder: Embedder, texts: list[str], out) -> None:  # noqa: ANN001 - a multiprocessing queue
    out.put(embedder.embed(texts))


def test_a_forked_child_embeds_with_threads_of_its_own(embedder: Embedder, texts: list[str], ours: np.ndarray) -> None:
    """The parent's batch threads do not survive a fork; the child must not wait for them."""
    import multiprocessing

    embedder.embed(texts)  # the parent's pool is running
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    child = ctx.Process(target=_embed_in_child, args=(embedder, texts, out))
    child.start()
    got = out.get(timeout=120)
    child.join(timeout=30)
    assert child.exitcode == 0
    np.testing.assert_allclose(got, ours, atol=1e-5)


def test_ingest_batches_take_bfloat16_where_asked_and_the_cpu_has_it_and_stay_equivalent(
    embedder: Embedder, texts: list[str], ours: np.ndarray
) -> None:
    """NOTECITE_INGEST_BF16: an ingest's batches (embed_bulk) in bfloat16, checked as the float32 path is: cosine
    >= 0.999 against encode() across the notes' length range and odd texts; embed() (queries, answers) stays
    float32, and so does the default embedder's ingest."""
    assert embedder.bulk_path == "fast-cpu"  # the default: float32, the same vectors as before
    np.testing.assert_allclose(embedder.embed_bulk(texts), ours, atol=1e-5)
    on = load_embedder(bulk_bf16=True)
    assert embedder_for(Settings(_env_file=None, ingest_bf16=True, query_onnx=False)) is on  # the setting's way in
    assert on.bulk_path == ("fast-cpu-bf16" if native_bf16() else "fast-cpu")  # never on emulated bfloat16
    on.fast.drop_bf16_model()  # as the load's check left it (an earlier test may have ingested through it)
    bulk = on.embed_bulk(texts)
    assert bulk.dtype == np.float32 and np.allclose(np.linalg.norm(bulk, axis=1), 1.0, atol=1e-5)
    assert min_cosine(bulk, embedder.encode(texts)) >= EQUIVALENT_COSINE
    np.testing.assert_allclose(on.embed(texts), ours, atol=1e-5)
    np.testing.assert_allclose(on.embed_bulk(texts[:1]), ours[:1], atol=1e-5)  # one text: the query path
    if native_bf16():
        assert not np.allclose(bulk, ours, atol=1e-6)  # it did run another computation
        assert on.fast.bf16_model() is on.fast.bf16_model()  # one bfloat16 copy, made once
        assert on.fast._bf16_model is not None  # kept while batches use it
        assert bf16_equivalent(on.fast, on._model) and on.fast._bf16_model is None  # the check frees its copy
        assert next(on.fast.model.parameters()).dtype == torch.float32  # the copy left the model queries use alone
        assert bf16_equivalent(embedder.fast, embedder._model)
