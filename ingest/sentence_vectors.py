"""Sentence-window vectors: each passage's dense side seen a few sentences at a time.

One vector must stand for a whole passage (up to 256 tokens), so a question about one of its sentences can
rank it below a passage about the topic in general. Each passage's sentences, `window` consecutive ones at
a time with the section path in front (as the passage's own embedded text has), get vectors of their own;
retrieval ranks the dense and BM25 candidates by their best window and fuses that ranking with the passage
and BM25 rankings (`retrieval.retriever`). Only candidates are scored, exhaustively (a few hundred dot
products), so there is no window index to build or search: searching every window through its own
FAISS index found the same top 10 on the dev halves, and at 100k passages (0.56M windows) cost 5.9 ms a
query, 612 s of build and 964 MB (docs/SCALE.md). Passages and their spans are unchanged: a window only points
back to its passage, so whatever is retrieved is still cited to the character.

    generations/<id>/sentences.npy    window vectors (float32, normalized), rows grouped by passage
                     sentences.json   {"window": w, "embedder": name, "leaf_ids": [the passage of each row]}

They are written inside the generation before CURRENT moves, so crash safety is the generation's; an
incremental ingest takes an unchanged passage's windows from the previous generation.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from itertools import groupby
from pathlib import Path
from typing import Any

import numpy as np

from core.text import sentence_spans, unwrapped
from ingest.embedding import Embeds, embed_distinct

VECTORS, META = "sentences.npy", "sentences.json"
MIN_WORDS = 3  # a window of fewer words (a lone code line, a list marker) says too little to rank by


def window_texts(text: str, breadcrumbs: Sequence[str], window: int) -> list[str]:
    """The texts to embed for one passage: each run of `window` consecutive sentences (stride one), the
    section path in front; none for a passage of one sentence (its own vector is that sentence)."""
    text = unwrapped(text, paragraphs=True)  # a line break inside a paragraph is no sentence end
    spans = sentence_spans(text)
    if len(spans) <= 1:
        return []
    crumbs = list(breadcrumbs[1:])
    out = []
    for i in range(max(1, len(spans) - window + 1)):
        piece = text[spans[i][0] : spans[min(i + window, len(spans)) - 1][1]]
        if len(piece.split()) < MIN_WORDS:
            continue
        out.append(" > ".join(crumbs) + "\n" + piece if crumbs and not piece.startswith(crumbs[-1]) else piece)
    return out


class SentenceIndex:
    """One generation's window vectors, loaded (memory-mapped): which of some passages has the window closest
    to a query."""

    def __init__(self, gen_dir: Path) -> None:
        meta = json.loads((gen_dir / META).read_text())
        self.window: int = int(meta["window"])
        self.embedder: str = meta["embedder"]
        self.owners: list[str] = meta["leaf_ids"]
        self.matrix = np.load(gen_dir / VECTORS, mmap_mode="r")
        self._rows: dict[str, range] = {}  # rows are grouped by passage (embed_windows)
        row = 0
        for leaf, run in groupby(self.owners):
            count = sum(1 for _ in run)
            self._rows[leaf] = range(row, row + count)
            row += count

    @classmethod
    def open(cls, gen_dir: Path) -> SentenceIndex | None:
        """The generation's window vectors; None when it was written without them."""
        return cls(gen_dir) if (gen_dir / META).is_file() else None

    def __len__(self) -> int:
        return len(self.owners)

    def best(self, ids: Sequence[str], query_vec: np.ndarray) -> list[tuple[str, float]]:
        """Each of `ids` that has windows, with its best window's cosine, best first (ties: in `ids`' order)."""
        found = [(leaf, rows) for leaf in dict.fromkeys(ids) if (rows := self._rows.get(leaf))]
        if not found:
            return []
        rows = np.concatenate([np.arange(r.start, r.stop) for _, r in found])
        cosines = np.asarray(self.matrix[rows] @ query_vec)
        starts = np.cumsum([0] + [len(r) for _, r in found[:-1]])
        best = np.maximum.reduceat(cosines, starts)
        order = np.argsort(-best, kind="stable")
        return [(found[i][0], float(best[i])) for i in order]

    def by_leaf(self) -> dict[str, np.ndarray]:
        """Window vectors per passage id: an incremental ingest reuses them for unchanged passages."""
        return {leaf: np.asarray(self.matrix[rows.start : rows.stop]) for leaf, rows in self._rows.items()}


def embed_windows(
    leaves: Sequence[Any],
    own: np.ndarray,
    embedder: Embeds,
    window: int,
    previous: dict[str, np.ndarray] | None = None,
    progress: Callable[[int, int], None] | None = None,
    same_text: Mapping[str, np.ndarray] | None = None,
) -> tuple[list[str], np.ndarray, int]:
    """(passage id per row, vectors, windows embedded now) for `leaves` (TextNodes; `own[i]` is leaf i's passage
    vector). A passage without windows (one sentence) is its own window, so every passage is in the ranking;
    a passage in `previous` (made with the same embedder and window) keeps its vectors; the windows embedded now
    count each distinct text once, and none that `same_text` (embedded text -> vector: the passages') holds."""
    previous = previous or {}
    parts: list[np.ndarray] = []
    owners: list[str] = []
    rows: list[int] = []  # rows still to embed, and their texts
    texts: list[str] = []
    for i, node in enumerate(leaves):
        if node.node_id in previous:
            parts.append(previous[node.node_id])
            owners += [node.node_id] * len(previous[node.node_id])
            continue
        windows = window_texts(node.text, node.metadata.get("breadcrumbs", []), window)
        if not windows:
            parts.append(own[i : i + 1])
            owners.append(node.node_id)
            continue
        rows += range(len(owners), len(owners) + len(windows))
        texts += windows
        parts.append(np.zeros((len(windows), embedder.dim), dtype=np.float32))
        owners += [node.node_id] * len(windows)
    vectors = np.concatenate(parts) if parts else np.zeros((0, embedder.dim), dtype=np.float32)
    # a window repeated (a copied note, a boilerplate sentence pair) is embedded once
    embedded, count = embed_distinct(texts, embedder, progress=progress, same_text=same_text)
    vectors[rows] = embedded
    return owners, vectors, count


def write_sentences(gen_dir: Path, owners: Sequence[str], vectors: np.ndarray, window: int, embedder_name: str) -> None:
    """The two files of a generation's window vectors (the caller fsyncs the generation)."""
    np.save(gen_dir / VECTORS, np.ascontiguousarray(vectors, dtype=np.float32))
    meta = {"window": window, "embedder": embedder_name, "leaf_ids": list(owners)}
    (gen_dir / META).write_text(json.dumps(meta))
