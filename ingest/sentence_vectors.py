"""Sentence-window vectors: each passage's dense side seen a few sentences at a time.

One vector must stand for a whole passage (up to 256 tokens), so a question about one of its sentences can
rank it below a passage about the topic in general. Each passage's sentences, `window` consecutive ones at
a time with the section path in front (as the passage's own embedded text has), get vectors of their own in
a second FAISS index; retrieval ranks passages by their best window and fuses that ranking with the passage
and BM25 rankings (`retrieval.retriever`). Passages and their spans are unchanged: a window only points
back to its passage, so whatever is retrieved is still cited to the character.

    generations/<id>/sentences.npy    window vectors (float32, normalized), rows grouped by passage
                     sentences.json   {"window": w, "embedder": name, "leaf_ids": [the passage of each row]}
                     sentences.faiss  flat or HNSW inner-product index over the rows

They are written inside the generation before CURRENT moves, so crash safety is the generation's; an
incremental ingest takes an unchanged passage's windows from the previous generation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from core.text import sentence_spans
from ingest import faiss_index

VECTORS, META, INDEX = "sentences.npy", "sentences.json", "sentences.faiss"
EMBED_BATCH = 64
MIN_WORDS = 3  # a window of fewer words (a lone code line, a list marker) says too little to rank by
# a line break inside a paragraph (hard-wrapped Markdown or reST) is not a sentence end; one before a list
# item, heading, quote, table row, code fence or blank line is
SOFT_BREAK = re.compile(r"(?<=\S)[ \t]*\n[ \t]*(?=[^\s\-*+#>|`0-9])")


POOLINGS = ("separate", "late", "late+path")  # how window vectors are made (RetrievalSettings.sentence_pooling)


class Embeds(Protocol):
    """What ingest needs of an embedder; one with `embed_late` (models.embedder.Embedder) can also pool
    window vectors from a passage's own forward pass."""

    name: str
    dim: int

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray: ...


def has_windows(node: Any) -> bool:
    """Whether a passage gets sentence windows: notes do (measured on notes); code does not."""
    return node.metadata.get("kind", "note") == "note"


def _join_soft_breaks(text: str) -> tuple[str, list[int]]:
    """`text` with soft line breaks made spaces, and where each of its characters (and its end) sits in `text`."""
    parts, where, at = [], [], 0
    for m in SOFT_BREAK.finditer(text):
        parts += [text[at : m.start()], " "]
        where += [*range(at, m.start()), m.start()]
        at = m.end()
    parts.append(text[at:])
    where += [*range(at, len(text)), len(text)]
    return "".join(parts), where


def window_spans(text: str, breadcrumbs: Sequence[str], window: int) -> list[tuple[str, int, int]]:
    """(text to embed, start, end in `text`) of one passage's windows: each run of `window` consecutive
    sentences (stride one), the section path in front; none for a passage of one sentence (its own vector
    is that sentence)."""
    joined, where = _join_soft_breaks(text)
    spans = sentence_spans(joined)
    if len(spans) <= 1:
        return []
    crumbs = list(breadcrumbs[1:])
    out = []
    for i in range(max(1, len(spans) - window + 1)):
        start, end = spans[i][0], spans[min(i + window, len(spans)) - 1][1]
        piece = joined[start:end]
        if len(piece.split()) < MIN_WORDS:
            continue
        shown = " > ".join(crumbs) + "\n" + piece if crumbs and not piece.startswith(crumbs[-1]) else piece
        out.append((shown, where[start], where[end - 1] + 1))
    return out


def window_texts(text: str, breadcrumbs: Sequence[str], window: int) -> list[str]:
    """The texts embedded for one passage's windows (`window_spans`)."""
    return [shown for shown, _, _ in window_spans(text, breadcrumbs, window)]


def embed_passages(
    leaves: Sequence[Any], texts: Sequence[str], embedder: Embeds, window: int, pooling: str
) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """Passage vectors of `texts` (leaf i's embedded text: its section path, then its text) and, when
    `pooling` is late, each windowed leaf's window vectors pooled from that same forward pass (late
    chunking); `late+path` pools the section path's tokens with each window's. A window the tokens do not
    cover (past the 256-token truncation) is embedded alone, as `separate` pooling embeds every window."""
    late = getattr(embedder, "embed_late", None)
    if pooling == "separate" or not window or late is None:
        return embedder.embed(list(texts)), {}
    windows = [
        window_spans(n.text, n.metadata.get("breadcrumbs", []), window) if has_windows(n) else [] for n in leaves
    ]
    ranges = []
    for node, text, spans in zip(leaves, texts, windows, strict=True):
        at = len(text) - len(node.text)  # the passage text sits after its section path
        path = [(0, at - 1)] if pooling == "late+path" and at > 1 else []
        ranges.append([[*path, (at + s, at + e)] for _, s, e in spans])
    vectors, pooled, covered = late(list(texts), ranges)
    alone = [(i, k) for i, c in enumerate(covered) for k in np.flatnonzero(~c)]
    if alone:
        for (i, k), v in zip(alone, embedder.embed([windows[i][k][0] for i, k in alone]), strict=True):
            pooled[i][k] = v
    made = {n.node_id: pooled[i] for i, n in enumerate(leaves) if windows[i]}
    return vectors, made


class SentenceIndex:
    """One generation's window vectors, loaded: which passages have the window closest to a query."""

    def __init__(self, gen_dir: Path) -> None:
        meta = json.loads((gen_dir / META).read_text())
        self.window: int = int(meta["window"])
        self.embedder: str = meta["embedder"]
        self.pooling: str = meta.get("pooling", "separate")
        self.owners: list[str] = meta["leaf_ids"]
        self.matrix = np.load(gen_dir / VECTORS, mmap_mode="r")
        self.faiss = faiss_index.for_search(faiss.read_index(str(gen_dir / INDEX)))
        self._rows: dict[str, list[int]] = {}
        for row, leaf in enumerate(self.owners):
            self._rows.setdefault(leaf, []).append(row)

    @classmethod
    def open(cls, gen_dir: Path) -> SentenceIndex | None:
        """The generation's window vectors; None when it was written without them."""
        return cls(gen_dir) if (gen_dir / META).is_file() else None

    def __len__(self) -> int:
        return len(self.owners)

    def search(self, query_vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Up to k passages by their best window's cosine, best first (windows fetched: 4k, then k distinct)."""
        best: dict[str, float] = {}
        for row, score in faiss_index.search(self.faiss, query_vec, 4 * k):
            best.setdefault(self.owners[row], score)
            if len(best) == k:
                break
        return list(best.items())

    def best(self, ids: Sequence[str], query_vec: np.ndarray) -> list[tuple[str, float]]:
        """Each of `ids` that has windows, with its best window's cosine, best first (a scoped search)."""
        scored = []
        for leaf in ids:
            rows = self._rows.get(leaf)
            if rows:
                scored.append((leaf, float(np.max(np.asarray(self.matrix[rows]) @ query_vec))))
        return sorted(scored, key=lambda item: -item[1])

    def by_leaf(self) -> dict[str, np.ndarray]:
        """Window vectors per passage id: an incremental ingest reuses them for unchanged passages."""
        return {leaf: np.asarray(self.matrix[rows]) for leaf, rows in self._rows.items()}


def embed_windows(
    leaves: Sequence[Any],
    own: np.ndarray,
    embedder: Embeds,
    window: int,
    previous: dict[str, np.ndarray] | None = None,
    progress: Callable[[int, int], None] | None = None,
    made: dict[str, np.ndarray] | None = None,
) -> tuple[list[str], np.ndarray, int]:
    """(passage id per row, vectors, windows made now) for `leaves` (TextNodes; `own[i]` is leaf i's passage
    vector). A passage without windows (one sentence) is its own window, so every passage is in the ranking;
    a passage in `previous` (made with the same embedder, window and pooling) keeps its vectors, one in
    `made` (late-chunked with its passage, `embed_passages`) takes those; the rest are embedded here."""
    previous, made = previous or {}, made or {}
    parts: list[np.ndarray] = []
    owners: list[str] = []
    todo: list[tuple[int, str]] = []  # (row, text) still to embed
    pooled = 0
    for i, node in enumerate(leaves):
        kept = previous.get(node.node_id)
        if kept is None and node.node_id in made:
            kept = made[node.node_id]
            pooled += len(kept)
        if kept is not None:
            parts.append(kept)
            owners += [node.node_id] * len(kept)
            continue
        texts = window_texts(node.text, node.metadata.get("breadcrumbs", []), window)
        if not texts:
            parts.append(own[i : i + 1])
            owners.append(node.node_id)
            continue
        todo += [(len(owners) + j, t) for j, t in enumerate(texts)]
        parts.append(np.zeros((len(texts), embedder.dim), dtype=np.float32))
        owners += [node.node_id] * len(texts)
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
    todo.sort(key=lambda item: len(item[1]))  # like lengths in one batch: less padding
    for start in range(0, len(todo), EMBED_BATCH):
        batch = todo[start : start + EMBED_BATCH]
        vectors[[row for row, _ in batch]] = embedder.embed([t for _, t in batch])
        if progress:
            progress(start + len(batch), len(todo))
    return owners, vectors, len(todo) + pooled


def write_sentences(
    gen_dir: Path,
    owners: Sequence[str],
    vectors: np.ndarray,
    window: int,
    embedder_name: str,
    hnsw_threshold: int,
    pooling: str = "separate",
) -> None:
    """The three files of a generation's window vectors (the caller fsyncs the generation)."""
    np.save(gen_dir / VECTORS, np.ascontiguousarray(vectors, dtype=np.float32))
    faiss.write_index(faiss_index.build_dense_index(vectors, hnsw_threshold), str(gen_dir / INDEX))
    meta = {"window": window, "embedder": embedder_name, "pooling": pooling, "leaf_ids": list(owners)}
    (gen_dir / META).write_text(json.dumps(meta))
