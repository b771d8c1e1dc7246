"""The passage table gives the wrapped embedder's vectors and never embeds a known passage twice."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from eval.passage_vectors import PassageVectors


class CountingEmbedder:
    """A deterministic 3-d embedding (letter counts of a, b, c), recording every text it embeds."""

    name = "counting"
    dim = 3

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        self.seen += list(texts)
        return np.array([[t.count("a"), t.count("b"), t.count("c")] for t in texts], dtype=np.float32).reshape(-1, 3)


def test_known_passages_are_not_embedded_again() -> None:
    inner = CountingEmbedder()
    table = PassageVectors(inner, ["aab", "bcc", "aab"])
    assert inner.seen == ["aab", "bcc"]  # duplicates embedded once
    out = table.embed(["query abc", "bcc", "aab", "query abc"])
    # only the unknown text is embedded, once, and every row equals what the embedder gives
    assert inner.seen == ["aab", "bcc", "query abc"]
    np.testing.assert_array_equal(out, [[1, 1, 1], [0, 1, 2], [2, 1, 0], [1, 1, 1]])
    assert out.dtype == np.float32 and table.dim == 3 and table.name == "counting"
    assert table.embed([]).shape == (0, 3)
