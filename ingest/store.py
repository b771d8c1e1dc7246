"""The index directory: immutable generations and one pointer to the live one.

    index_dir/
      .lock                    fcntl lock: one ingest at a time
      CURRENT                  name of the live generation, replaced atomically (os.replace)
      generations/<gen-id>/    docstore.sqlite, faiss.index, vectors.npy, ids.json, bm25.pkl,
                               manifest.json (doc -> sha256), meta.json

A new generation is fully written and fsynced before CURRENT moves, so a crash at any point leaves
the previous generation serving. A reader loads one generation and keeps it, whatever happens after.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np
from llama_index.core.schema import TextNode

from core.text import stem
from ingest import faiss_index
from ingest.bm25 import BM25Index
from ingest.docstore import Docstore, write_docstore
from ingest.errors import IndexNotFound
from ingest.schema import DocumentRecord

CURRENT = "CURRENT"
GENERATIONS = "generations"
KEEP_GENERATIONS = 2
DEFAULT_HNSW_THRESHOLD = 20_000


def current_generation(index_dir: Path) -> str | None:
    try:
        name = (index_dir / CURRENT).read_text().strip()
    except FileNotFoundError:
        return None
    return name if name and (index_dir / GENERATIONS / name).is_dir() else None


def new_generation_id(index_dir: Path) -> str:
    """Sortable ids: a sequence number, then the UTC time for humans."""
    gens = index_dir / GENERATIONS
    numbers = (
        [int(p.name.split("-")[0]) for p in gens.iterdir() if p.name.split("-")[0].isdigit()] if gens.is_dir() else []
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{max(numbers, default=0) + 1:06d}-{stamp}"


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive lock on index_dir/.lock; a second ingest waits for the first to finish."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "a+") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def _fsync_path(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@dataclass(frozen=True)
class GenerationData:
    """Everything one generation holds; `vectors[i]` embeds the leaf `leaf_ids[i]`."""

    nodes: Sequence[TextNode]
    leaf_ids: Sequence[str]
    leaf_texts: Sequence[str]  # what BM25 indexes (the same text that was embedded)
    vectors: np.ndarray  # (n_leaves, dim) float32, normalized
    documents: Sequence[tuple[DocumentRecord, str]]  # record + source text
    embedder_name: str
    hnsw_threshold: int = DEFAULT_HNSW_THRESHOLD


def write_generation(index_dir: Path, data: GenerationData) -> str:
    """Write a complete generation and fsync it; CURRENT is not touched. Returns its id."""
    gen_id = new_generation_id(index_dir)
    gen_dir = index_dir / GENERATIONS / gen_id
    gen_dir.mkdir(parents=True)
    try:
        write_docstore(gen_dir / "docstore.sqlite", data.nodes, data.documents)
        np.save(gen_dir / "vectors.npy", np.ascontiguousarray(data.vectors, dtype=np.float32))
        (gen_dir / "ids.json").write_text(json.dumps(list(data.leaf_ids)))
        manifest = {record.doc: record.sha256 for record, _ in data.documents}
        (gen_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        faiss.write_index(
            faiss_index.build_dense_index(data.vectors, data.hnsw_threshold), str(gen_dir / "faiss.index")
        )
        BM25Index(data.leaf_ids, data.leaf_texts).save(gen_dir / "bm25.pkl")
        meta = {
            "generation": gen_id,
            "embedder": data.embedder_name,
            "dim": int(data.vectors.shape[1]),
            "leaves": len(data.leaf_ids),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
        }
        (gen_dir / "meta.json").write_text(json.dumps(meta, indent=1))
        for path in gen_dir.iterdir():
            _fsync_path(path)
        _fsync_path(gen_dir)
        _fsync_path(gen_dir.parent)
    except BaseException:
        shutil.rmtree(gen_dir, ignore_errors=True)
        raise
    return gen_id


def publish(index_dir: Path, gen_id: str) -> None:
    """Point CURRENT at `gen_id` atomically: readers see the old or the new name, never half of one."""
    tmp = index_dir / f"{CURRENT}.tmp"
    with open(tmp, "w") as fh:
        fh.write(gen_id + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_path(index_dir)


def _sequence(name: str) -> int:
    head = name.split("-")[0]
    return int(head) if head.isdigit() else -1


def collect_garbage(index_dir: Path, keep: int = KEEP_GENERATIONS) -> list[str]:
    """Keep the live generation and the newest complete ones before it (`keep` in all); delete the rest.

    Runs under the ingest lock, so a directory without meta.json is the debris of a killed ingest,
    never one being written.
    """
    gens = index_dir / GENERATIONS
    if not gens.is_dir():
        return []
    live = current_generation(index_dir)
    dirs = [p for p in gens.iterdir() if p.is_dir()]
    complete = sorted((p.name for p in dirs if (p / "meta.json").is_file()), key=_sequence)
    if live in complete:
        complete = complete[: complete.index(live) + 1]
    keep_set = set(complete[-keep:]) | {live}
    removed = [p.name for p in dirs if p.name not in keep_set]
    for name in removed:
        shutil.rmtree(gens / name, ignore_errors=True)
    return removed


class IndexReader:
    """One generation, loaded: dense and BM25 search over leaves, node and document look-ups."""

    def __init__(self, gen_dir: Path) -> None:
        self.path = gen_dir
        self.generation = gen_dir.name
        meta = json.loads((gen_dir / "meta.json").read_text())
        self.embedder_name: str = meta["embedder"]
        self.dim: int = int(meta["dim"])
        self._ids: list[str] = json.loads((gen_dir / "ids.json").read_text())
        self._rows = {node_id: row for row, node_id in enumerate(self._ids)}
        self._matrix = np.load(gen_dir / "vectors.npy", mmap_mode="r")
        self._faiss = faiss_index.for_search(faiss.read_index(str(gen_dir / "faiss.index")))
        self._bm25 = BM25Index.load(gen_dir / "bm25.pkl")
        self._docstore = Docstore(gen_dir / "docstore.sqlite")

    def __len__(self) -> int:
        """Number of leaves (what dense and BM25 search)."""
        return len(self._ids)

    @property
    def leaf_ids(self) -> list[str]:
        return list(self._ids)

    def dense_search(self, query_vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Leaf ids and cosine similarity, best first."""
        return [(self._ids[row], score) for row, score in faiss_index.search(self._faiss, query_vec, k)]

    def bm25_search(self, query: str, k: int) -> list[tuple[str, float]]:
        return self._bm25.search(query, k)

    @cached_property
    def term_stems(self) -> frozenset[str]:
        """Stems of every word the notes contain: a question's topic words missing here are not in the notes."""
        return frozenset(stem(t) for t in self._bm25.vocabulary())

    def get_nodes(self, ids: Sequence[str]) -> list[TextNode]:
        return self._docstore.get_nodes(ids)

    def parent_id(self, node_id: str) -> str | None:
        return self._docstore.parent_id(node_id)

    def child_ids(self, node_id: str) -> list[str]:
        return self._docstore.child_ids(node_id)

    def node_ids(self, doc: str | None = None) -> list[str]:
        return self._docstore.node_ids(doc)

    def documents(self) -> list[DocumentRecord]:
        return self._docstore.documents()

    def source_text(self, doc: str) -> str | None:
        return self._docstore.source_text(doc)

    def vectors(self) -> dict[str, np.ndarray]:
        """Stored leaf vectors by node id (incremental ingest reuses them instead of re-embedding)."""
        return {node_id: np.asarray(self._matrix[i]) for i, node_id in enumerate(self._ids)}

    def leaf_vectors(self, ids: Sequence[str]) -> np.ndarray:
        """Stored vectors of these leaves, (len(ids), dim): a cosine for a BM25 hit costs no embedding."""
        return np.asarray(self._matrix[[self._rows[i] for i in ids]], dtype=np.float32).reshape(len(ids), self.dim)

    def close(self) -> None:
        self._docstore.close()


def open_index(index_dir: Path) -> IndexReader:
    """The live generation; raises IndexNotFound when nothing has been ingested there yet."""
    for _ in range(2):
        gen_id = current_generation(Path(index_dir))
        if gen_id is None:
            break
        try:
            return IndexReader(Path(index_dir) / GENERATIONS / gen_id)
        except FileNotFoundError:  # CURRENT moved on and its old target was collected meanwhile: re-read
            continue
    raise IndexNotFound(f"no index at {index_dir}: run `notecite ingest NOTES_DIR --index {index_dir}` first")
