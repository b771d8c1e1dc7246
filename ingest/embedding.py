"""The ingest's embedding call: each distinct text once, texts of like length in one batch.

A folder holding copies of notes (the same file under two names, a boilerplate section repeated) has
passages and sentence windows whose embedded text is the same. Each keeps its own doc and span (citations
stay exact); they share one vector, embedded once per ingest. So do texts that differ only where the
tokenizer does not look (a hard line break where the other has a space, two spaces for one: a sentence
window that is its whole passage unwrapped): the model sees the same token ids, so they get the same vector.

An embedder that has an ingest path (`embed_bulk`: models.embedder's bfloat16 batches, proven equivalent at
load) is called through it; any other through `embed`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Protocol, runtime_checkable

import numpy as np

# texts per embed call, sorted by length across the whole call: 1024 took 29% less time than 64 on the seed notes,
# float32 and bfloat16 (each call waits for its slowest batch; fewer calls, less padding); progress is told per call
EMBED_BATCH = 1024


class Embeds(Protocol):
    """What ingest needs from an embedder (models.embedder.Embedder provides it)."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray: ...


@runtime_checkable
class EmbedsInBulk(Embeds, Protocol):
    """An embedder with a path of its own for an ingest's many texts (models.embedder.Embedder)."""

    def embed_bulk(self, texts: Sequence[str]) -> np.ndarray: ...


@runtime_checkable
class Tokenizes(Protocol):
    """An embedder that tells which token ids its model sees for each text (models.embedder.Embedder)."""

    def token_ids(self, texts: Sequence[str]) -> list[tuple[int, ...]]: ...


def bulk_embed(embedder: Embeds, texts: Sequence[str]) -> np.ndarray:
    """`texts` embedded through the embedder's ingest path when it has one."""
    return embedder.embed_bulk(texts) if isinstance(embedder, EmbedsInBulk) else embedder.embed(texts)


def embed_distinct(
    texts: Sequence[str],
    embedder: Embeds,
    known: Mapping[int, np.ndarray] | None = None,
    progress: Callable[[int, int], None] | None = None,
    same_text: Mapping[str, np.ndarray] | None = None,
) -> tuple[np.ndarray, int]:
    """(vectors, texts embedded now): `vectors[i]` embeds `texts[i]`. A row in `known` keeps its vector (from the
    previous generation), and lends it to every other row with its text, as `same_text` lends its vectors (a
    sentence window that is a whole passage); each remaining distinct text (distinct in the token ids the model
    sees) is embedded once, shortest first, so one embed() call gets texts of like length (less padding).
    `progress(done, total)` counts distinct texts."""
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
    todo = sorted(_same_tokens(rows_of, by_text, embedder, vectors), key=len)
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        for text, vec in zip(batch, bulk_embed(embedder, batch), strict=True):
            vectors[rows_of[text]] = vec
        if progress:
            progress(start + len(batch), len(todo))
    return vectors, len(todo)


def _same_tokens(
    rows_of: dict[str, list[int]], lenders: Mapping[str, np.ndarray], embedder: Embeds, vectors: np.ndarray
) -> list[str]:
    """The texts of `rows_of` left to embed: one that the model would see as the same token ids as a text of
    `lenders` takes its vector (into `vectors`), and one with the ids of another left to embed gives it its
    rows (`rows_of` is updated). Only texts equal up to whitespace are tokenized to compare."""
    if not rows_of or not isinstance(embedder, Tokenizes):
        return list(rows_of)
    groups: dict[str, list[str]] = {}
    for text in rows_of:
        groups.setdefault(" ".join(text.split()), []).append(text)
    for text in lenders:  # a lender goes first in its group, so its vector is taken before anything is embedded
        if (group := groups.get(" ".join(text.split()))) is not None:
            group.insert(0, text)
    todo: list[str] = []
    for group in groups.values():
        if len(group) == 1:
            todo += group
            continue
        first: dict[tuple[int, ...], str] = {}
        for text, ids in zip(group, embedder.token_ids(group), strict=True):
            if (same := first.setdefault(ids, text)) is text:
                if text in rows_of:
                    todo.append(text)
            elif same in lenders:
                vectors[rows_of.pop(text)] = lenders[same]
            else:
                rows_of[same] += rows_of.pop(text)
    return todo
