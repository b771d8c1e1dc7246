"""Where a generation's passages (leaves) are searched: one interface, two engines chosen by settings.

A generation directory always holds the docstore (nodes, spans, documents) and meta.json; the leaf
store holds what is searched: dense vectors and BM25. `embedded` keeps FAISS + a pickled BM25 in the
generation directory (one process, one laptop); `milvus` (ingest/milvus_store.py) puts both into one
Milvus collection per generation (Milvus Lite file, or a server/cluster by URI and token). Spans never
leave the docstore, so citations stay exact whatever engine ranks the passages.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

import faiss
import numpy as np

from core.settings import StoreSettings
from ingest import faiss_index
from ingest.bm25 import BM25Index, previous_index


class LeafIndex(Protocol):
    """One generation's searchable leaves, opened for reading."""

    leaf_ids: list[str]

    def __len__(self) -> int: ...
    def dense_search(self, query_vec: np.ndarray, k: int) -> list[tuple[str, float]]: ...
    def bm25_search(self, query: str, k: int) -> list[tuple[str, float]]: ...
    def vocabulary(self) -> frozenset[str]: ...
    def vectors(self) -> dict[str, np.ndarray]: ...
    def leaf_vectors(self, ids: Sequence[str]) -> np.ndarray: ...
    def close(self) -> None: ...


class LeafStore(Protocol):
    """Writes, opens, publishes and drops the leaves of generations; `name` is recorded in meta.json."""

    name: str

    def write(
        self, gen_dir: Path, leaf_ids: Sequence[str], texts: Sequence[str], vectors: np.ndarray, hnsw_threshold: int
    ) -> dict[str, Any]:
        """Store a generation's leaves; returns what meta.json must remember to open them again."""
        ...

    def open(self, gen_dir: Path, meta: dict[str, Any]) -> LeafIndex: ...
    def publish(self, gen_id: str) -> None:
        """Called after CURRENT moved to gen_id (Milvus moves its alias)."""
        ...

    def drop(self, gen_id: str) -> None:
        """Called when garbage collection removes gen_id."""
        ...


class EmbeddedLeaves:
    """FAISS (flat or HNSW) + BM25Okapi, loaded from a generation directory."""

    def __init__(self, gen_dir: Path, dim: int) -> None:
        self.dim = dim
        self.leaf_ids: list[str] = json.loads((gen_dir / "ids.json").read_text())
        self._rows = {node_id: row for row, node_id in enumerate(self.leaf_ids)}
        self._matrix = np.load(gen_dir / "vectors.npy", mmap_mode="r")
        self.faiss = faiss_index.for_search(faiss.read_index(str(gen_dir / "faiss.index")))
        self._bm25 = BM25Index.load(gen_dir / "bm25.pkl")

    def __len__(self) -> int:
        return len(self.leaf_ids)

    def dense_search(self, query_vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        return [(self.leaf_ids[row], score) for row, score in faiss_index.search(self.faiss, query_vec, k)]

    def bm25_search(self, query: str, k: int) -> list[tuple[str, float]]:
        return self._bm25.search(query, k)

    def vocabulary(self) -> frozenset[str]:
        return self._bm25.vocabulary()

    def vectors(self) -> dict[str, np.ndarray]:
        return {node_id: np.asarray(self._matrix[i]) for i, node_id in enumerate(self.leaf_ids)}

    def leaf_vectors(self, ids: Sequence[str]) -> np.ndarray:
        rows = [self._rows[i] for i in ids]
        return np.asarray(self._matrix[rows], dtype=np.float32).reshape(len(ids), self.dim)

    def close(self) -> None:
        pass


class EmbeddedStore:
    """Today's default: everything in the generation directory, nothing to publish or drop elsewhere."""

    name = "embedded"

    def write(
        self, gen_dir: Path, leaf_ids: Sequence[str], texts: Sequence[str], vectors: np.ndarray, hnsw_threshold: int
    ) -> dict[str, Any]:
        np.save(gen_dir / "vectors.npy", np.ascontiguousarray(vectors, dtype=np.float32))
        (gen_dir / "ids.json").write_text(json.dumps(list(leaf_ids)))
        faiss.write_index(faiss_index.build_dense_index(vectors, hnsw_threshold), str(gen_dir / "faiss.index"))
        BM25Index(leaf_ids, texts, previous_index(gen_dir)).save(gen_dir / "bm25.pkl")
        return {"store": self.name}

    def open(self, gen_dir: Path, meta: dict[str, Any]) -> EmbeddedLeaves:
        return EmbeddedLeaves(gen_dir, int(meta["dim"]))

    def publish(self, gen_id: str) -> None:
        pass

    def drop(self, gen_id: str) -> None:
        pass


def leaf_store(config: StoreSettings | None, index_dir: Path) -> LeafStore:
    """The engine the settings name; Milvus is imported only when chosen."""
    if config is None or config.backend == "embedded":
        return EmbeddedStore()
    from ingest.milvus_store import MilvusStore

    return MilvusStore.connect(config.milvus_uri or str(Path(index_dir).resolve() / "milvus.db"), config)


def store_for_meta(meta: dict[str, Any], config: StoreSettings | None, index_dir: Path) -> LeafStore:
    """The engine a generation was written with (meta.json), connected with the settings' URI and token."""
    if meta.get("store", "embedded") == "embedded":
        return EmbeddedStore()
    from ingest.milvus_store import MilvusStore

    if config is not None and config.backend == "milvus":
        return leaf_store(config, index_dir)
    return MilvusStore.connect(meta["uri"], StoreSettings(backend="milvus", collection_prefix=meta["prefix"]))
