"""Embedder.embed_late: a text's vector and its spans' vectors from one forward pass (late chunking)."""

from __future__ import annotations

import numpy as np
import pytest

from models.embedder import Embedder, load_embedder
from models.fast_embed import encode_late

TEXTS = ["Bread > Crumb\nA hot oven sets the crumb. Salt slows the fermentation.", "word " * 400]
SPANS = [[[(14, 40)], [(0, 13), (41, 69)]], [[(0, 20)], [(1500, 1600)]]]  # the last one is past 256 tokens


@pytest.fixture(scope="module")
def embedder() -> Embedder:
    return load_embedder()


def test_the_texts_vectors_are_the_embedders_own(embedder: Embedder) -> None:
    vectors, pooled, covered = embedder.embed_late(TEXTS, SPANS)
    assert np.min(np.sum(vectors * embedder.encode(TEXTS), axis=1)) >= 0.999
    assert [p.shape for p in pooled] == [(2, embedder.dim), (2, embedder.dim)]
    assert [c.tolist() for c in covered] == [[True, True], [True, False]]
    assert not pooled[1][1].any()  # not covered: zeros, for the caller to embed alone
    assert np.allclose(np.linalg.norm(pooled[0], axis=1), 1.0, atol=1e-5)


def test_a_span_is_read_in_its_text(embedder: Embedder) -> None:
    # the same words pooled in context differ from the words embedded alone, and lean towards their text
    _, pooled, _ = embedder.embed_late(TEXTS[:1], SPANS[:1])
    alone = embedder.embed([TEXTS[0][14:40]])[0]
    whole = embedder.embed(TEXTS[:1])[0]
    assert float(pooled[0][0] @ alone) < 0.99
    assert float(pooled[0][0] @ whole) > float(alone @ whole)


def test_sentence_transformers_encode_pools_the_same(embedder: Embedder) -> None:
    fast = embedder.embed_late(TEXTS, SPANS)
    plain = encode_late(embedder._model, TEXTS, SPANS)
    assert np.allclose(fast[0], plain[0], atol=1e-4)
    for a, b in zip(fast[1], plain[1], strict=True):
        assert np.allclose(a, b, atol=1e-4)
    assert [c.tolist() for c in plain[2]] == [c.tolist() for c in fast[2]]
