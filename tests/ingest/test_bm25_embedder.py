"""The BM25 tokenizer (code and math stay searchable) and the embedder's contract."""

from __future__ import annotations

import numpy as np
import pytest

from ingest.bm25 import BM25Index, tokenize
from models.embedder import load_embedder

TOKEN_CASES = [
    ("as_strided", {"as_strided", "as", "strided"}),
    ("np.dot(W, A)", {"np.dot", "np", "dot", "w"}),
    ("cudnnHandle_t", {"cudnnhandle_t", "cudnnhandle", "cudnn", "handle", "t"}),
    ("CamelCase", {"camelcase", "camel", "case"}),
    ("x^2", {"x^2", "x", "2"}),
    ("W_0", {"w_0", "w", "0"}),
    (r"\Delta W", {r"\delta", "delta", "w"}),
    ("lr 0.001", {"lr", "0.001", "0", "001"}),
    ("Fréchet naïve", {"frechet", "naive"}),  # accents folded: "naive" finds "naïve"
]


@pytest.mark.parametrize(("text", "expected"), TOKEN_CASES)
def test_tokenizer_keeps_identifiers_and_math(text: str, expected: set[str]) -> None:
    assert set(tokenize(text)) == expected


def test_tokenizer_lowercases_and_drops_stop_words() -> None:
    assert tokenize("What does LoRA keep frozen?") == ["lora", "keep", "frozen"]


def test_bm25_ranks_and_round_trips(tmp_path) -> None:
    index = BM25Index(["a", "b", "c"], ["LoRA keeps W_0 frozen", "Adam uses moments", "pooling windows"])
    assert index.search("w_0 frozen", 3)[0][0] == "a"
    assert index.search("nothing matches", 3) == []
    index.save(tmp_path / "bm25.pkl")
    assert BM25Index.load(tmp_path / "bm25.pkl").search("moments", 1)[0][0] == "b"
    assert BM25Index([], []).search("anything", 5) == []


def test_embedder_vectors_are_normalized_float32(embedder) -> None:
    assert embedder is load_embedder()  # one model per process
    before = embedder.calls, embedder.texts_embedded
    vectors = embedder.embed(["LoRA freezes the base weights.", "Low-rank adapters keep W frozen.", "pizza"])
    assert vectors.shape == (3, embedder.dim) == (3, 384) and vectors.dtype == np.float32
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2  # related sentences are closer
    assert (embedder.calls, embedder.texts_embedded) == (before[0] + 1, before[1] + 3)
    assert embedder.embed([]).shape == (0, 384) and embedder.calls == before[0] + 1


def test_unknown_embedder_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown embedder 'nope'"):
        load_embedder("nope")


@pytest.mark.parametrize("query", ["what does LoRA keep frozen", "ünïcödé ∆W = AB", "word " * 400])
def test_single_query_fast_path_gives_the_batch_vector(embedder, query: str) -> None:
    alone = embedder.embed([query])[0]
    in_batch = embedder.embed([query, "another text in the same batch"])[0]
    np.testing.assert_allclose(alone, in_batch, atol=1e-5)
