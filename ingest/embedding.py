"""The ingest's embedding call: each distinct text once, texts of like length in one batch.

A folder holding copies of notes (the same file under two names, a boilerplate section repeated) has
passages and sentence windows whose embedded text is the same. Each keeps its own doc and span (citations
stay exact); they share one vector, embedded once per ingest.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol

import numpy as np

EMBED_BATCH = 64


class Embeds(Protocol):
    """What ingest needs from an embedder (models.embedder.Embedder provides it)."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray: ...


def embed_distinct(
    texts: Sequence[str],
    embedder: Embeds,
    known: Mapping[int, np.ndarray] | None = None,
    progress: Callable[[int, int], None] | None = None,
    same_text: Mapping[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, int]:
    """(vectors, texts embedded now): `vectors[i]` embeds `texts[i]`. A row in `known` keeps its vector (from the
    previous generation), and lends it to every other row with its text, as `same_text` lends its vectors (a
    sentence window that is a whole passage); each remaining distinct text is embedded once, shortest first, so
    one embed() call gets texts of like length (less padding). `progress(done, total)` counts distinct texts."""
    known = known or {}
    vectors = np.zeros((len(texts), embedder.dim), dtype=np.float32)
    by_text = {**(same_text or {}), **{texts[row]: vec for row, vec in known.items()}}
    rows_of: dict[str, list[int]] = {}
    for row, text in enumerate(texts):
        if row in known:
            vectors[row] = known[row]
        elif text in by_text:
            vectors[row] = by_text[text]
        else:
            rows_of.setdefault(text, []).append(row)
    todo = sorted(rows_of, key=len)
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        for text, vec in zip(batch, embedder.embed(batch), strict=True):
            vectors[rows_of[text]] = vec
        if progress:
            progress(start + len(batch), len(todo))
    return vectors, len(todo)
