"""An embedder that knows the index's passages in advance.

Attribution embeds an answer's sources with its sentences, and a retrieval path that scores passages by
their text does the same: with ~100 questions times several systems that is the same few hundred
passages embedded thousands of times, which on a shared 2-core machine turns a minutes-long
eval into hours. Embedding each passage once gives identical vectors (same model, same text), so rankings
and cosines are unchanged; queries and answer sentences are still embedded per call, so latency still
includes the query's embedding.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from retrieval.retriever import EmbedderLike


class PassageVectors:
    """`embed()` that serves known passage texts from a table and embeds anything else on demand."""

    def __init__(self, embedder: EmbedderLike, passages: Iterable[str]) -> None:
        self.embedder = embedder
        self.name: str = getattr(embedder, "name", "")
        self.dim: int = getattr(embedder, "dim", 0)
        unique = list(dict.fromkeys(passages))
        vectors = embedder.embed(unique, batch_size=64) if unique else []
        self._known = {text: vectors[i] for i, text in enumerate(unique)}

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self._known]
        fresh = dict(zip(missing, self.embedder.embed(missing, batch_size=batch_size), strict=True)) if missing else {}
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self._known[t] if t in self._known else fresh[t] for t in texts]).astype(np.float32)

    def embed_late(
        self, texts: Sequence[str], spans: Sequence[Sequence[Sequence[tuple[int, int]]]], *, batch_size: int = 32
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """Passages read token by token (the answer writer's quotes): no table to serve from."""
        return self.embedder.embed_late(texts, spans, batch_size=batch_size)
