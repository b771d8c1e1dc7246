"""The index directory: immutable generations and one pointer to the live one.

    index_dir/
      .lock                    fcntl lock: one ingest at a time
      CURRENT                  name of the live generation, replaced atomically (os.replace)
      generations/<gen-id>/    docstore.sqlite, manifest.json (doc -> sha256), meta.json,
                               term_counts.json (key stems' document frequencies), and the leaf
                               store's files (embedded: faiss.index, vectors.npy, ids.json, bm25.pkl;
                               milvus: terms.json, the vectors and BM25 in collection <prefix>_<gen-id>)

A new generation is fully written and fsynced before CURRENT moves, so a crash at any point leaves
the previous generation serving. A reader loads one generation and keeps it, whatever happens after.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cached_property
from pathlib import Path

import numpy as np
from llama_index.core.schema import TextNode

from core.settings import StoreSettings
from core.terms import TERM_COUNTS_FILE, TermCounts
from core.text import stem
from ingest.bm25 import BM25Index  # noqa: F401 - the embedded store's BM25 (tests patch it here)
from ingest.docstore import Docstore, write_docstore
from ingest.errors import IndexNotFound
from ingest.leaf_store import EmbeddedStore, LeafIndex, LeafStore, store_for_meta
from ingest.schema import DocumentRecord
from ingest.sentence_vectors import SentenceIndex

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


def built_from(index_dir: Path) -> list[dict[str, str]]:
    """The folders the live generation was built from ({"path", "prefix", "kind"} each); [] for no index or one
    written before generations recorded them."""
    gen = current_generation(index_dir)
    if gen is None:
        return []
    meta = json.loads((index_dir / GENERATIONS / gen / "meta.json").read_text())
    return list(meta.get("roots", []))


def new_generation_id(index_dir: Path) -> str:
    """Sortable ids: a sequence number, then the UTC time for humans."""
    gens = index_dir / GENERATIONS
    numbers = (
        [int(p.name.split("-")[0]) for p in gens.iterdir() if p.name.split("-")[0].isdigit()] if gens.is_dir() else []
    )
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return f"{max(numbers, default=0) + 1:06d}-{stamp}"


log = logging.getLogger("notecite")
_HELD = threading.local()  # index dirs whose lock this thread holds: an upload holds it across its ingest


@contextmanager
def ingest_lock(index_dir: Path) -> Iterator[None]:
    """Exclusive lock on index_dir/.lock: one index change at a time across threads, processes and containers
    sharing the directory (a second ingest waits). Re-entrant within a thread."""
    index_dir.mkdir(parents=True, exist_ok=True)
    key = str(index_dir.resolve())
    held: set[str] = _HELD.__dict__.setdefault("dirs", set())
    if key in held:
        yield
        return
    with open(index_dir / ".lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:  # say so: a CLI ingest behind a server's re-index would otherwise look hung
            fh.seek(0)
            holder = fh.read().strip() or "another process"
            log.warning("%s is being changed by %s; waiting for it to finish", index_dir, holder)
            fcntl.flock(fh, fcntl.LOCK_EX)
        fh.seek(0)
        fh.truncate()
        fh.write(f"pid {os.getpid()}\n")
        fh.flush()
        held.add(key)
        try:
            yield
        finally:
            held.discard(key)
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
    write_extra: Callable[[Path], None] | None = None  # writes more files into the generation dir (a tuned model)
    roots: Sequence[dict[str, str]] = ()  # the folders it was built from: {"path", "prefix", "kind"} each
    inputs: str = ""  # digest of everything it was built from (ingest.pipeline.inputs_digest)


def write_generation(index_dir: Path, data: GenerationData, store: LeafStore | None = None) -> str:
    """Write a complete generation (leaves into `store`, embedded by default) and fsync it; CURRENT is not
    touched. Returns its id."""
    store = store or EmbeddedStore()
    gen_id = new_generation_id(index_dir)
    gen_dir = index_dir / GENERATIONS / gen_id
    gen_dir.mkdir(parents=True)
    try:
        write_docstore(gen_dir / "docstore.sqlite", data.nodes, data.documents)
        manifest = {record.doc: record.sha256 for record, _ in data.documents}
        (gen_dir / "manifest.json").write_text(json.dumps(manifest, indent=1, sort_keys=True))
        stored = store.write(gen_dir, data.leaf_ids, data.leaf_texts, data.vectors, data.hnsw_threshold)
        if data.write_extra is not None:
            data.write_extra(gen_dir)
        by_id = {n.node_id: n for n in data.nodes}  # the passages' own text, as the docstore serves it
        TermCounts.count(by_id[i].text for i in data.leaf_ids).save(gen_dir / TERM_COUNTS_FILE)
        meta = {
            "generation": gen_id,
            "embedder": data.embedder_name,
            "dim": int(data.vectors.shape[1]),
            "leaves": len(data.leaf_ids),
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "roots": list(data.roots),
            "inputs": data.inputs,
            **stored,
        }
        (gen_dir / "meta.json").write_text(json.dumps(meta, indent=1))
        for path in gen_dir.iterdir():
            _fsync_path(path)
        _fsync_path(gen_dir)
        _fsync_path(gen_dir.parent)
    except BaseException:
        shutil.rmtree(gen_dir, ignore_errors=True)
        store.drop(gen_id)
        raise
    return gen_id


def publish(index_dir: Path, gen_id: str, store: LeafStore | None = None) -> None:
    """Point CURRENT at `gen_id` atomically: readers see the old or the new name, never half of one.
    Then the store follows (Milvus moves its alias)."""
    tmp = index_dir / f"{CURRENT}.tmp"
    with open(tmp, "w") as fh:
        fh.write(gen_id + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, index_dir / CURRENT)
    _fsync_path(index_dir)
    if store is not None:
        store.publish(gen_id)


def _sequence(name: str) -> int:
    head = name.split("-")[0]
    return int(head) if head.isdigit() else -1


def collect_garbage(index_dir: Path, keep: int = KEEP_GENERATIONS, store: LeafStore | None = None) -> list[str]:
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
        if store is not None:
            store.drop(name)
    return removed


class IndexReader:
    """One generation, loaded: dense and BM25 search over leaves (in its leaf store), node and document look-ups."""

    def __init__(self, gen_dir: Path, store: StoreSettings | None = None) -> None:
        self.path = gen_dir
        self.generation = gen_dir.name
        meta = json.loads((gen_dir / "meta.json").read_text())
        self.embedder_name: str = meta["embedder"]
        self.dim: int = int(meta["dim"])
        self.store_name: str = meta.get("store", "embedded")
        self.inputs: str = meta.get("inputs", "")  # what it was built from; "" for generations before the digest
        self.leaves: LeafIndex = store_for_meta(meta, store, gen_dir.parent.parent).open(gen_dir, meta)
        # key stems' document frequencies counted at ingest; None for a generation written before them
        self.term_counts: TermCounts | None = TermCounts.load(gen_dir / TERM_COUNTS_FILE)
        # each passage's sentence windows (ingest.sentence_vectors); None for a generation written without them
        self.sentences: SentenceIndex | None = SentenceIndex.open(gen_dir)
        self._docstore = Docstore(gen_dir / "docstore.sqlite")

    def __len__(self) -> int:
        """Number of leaves (what dense and BM25 search)."""
        return len(self.leaves)

    @property
    def leaf_ids(self) -> list[str]:
        return list(self.leaves.leaf_ids)

    def dense_search(self, query_vec: np.ndarray, k: int) -> list[tuple[str, float]]:
        """Leaf ids and cosine similarity, best first."""
        return self.leaves.dense_search(query_vec, k)

    def bm25_search(self, query: str, k: int) -> list[tuple[str, float]]:
        return self.leaves.bm25_search(query, k)

    def sentence_search(self, query_vec: np.ndarray, ids: Sequence[str]) -> list[tuple[str, float]]:
        """Those of `ids` with sentence windows, by their best window's cosine, best first. Empty for a
        generation without sentence vectors."""
        return [] if self.sentences is None else self.sentences.best(ids, query_vec)

    @cached_property
    def term_stems(self) -> frozenset[str]:
        """Stems of every word the notes contain: a question's topic words missing here are not in the notes."""
        return frozenset(stem(t) for t in self.leaves.vocabulary())

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
        return self.leaves.vectors()

    def leaf_vectors(self, ids: Sequence[str]) -> np.ndarray:
        """Stored vectors of these leaves, (len(ids), dim): a cosine for a BM25 hit costs no embedding."""
        return self.leaves.leaf_vectors(ids)

    def close(self) -> None:
        self.leaves.close()
        self._docstore.close()


def open_index(index_dir: Path, store: StoreSettings | None = None) -> IndexReader:
    """The live generation; raises IndexNotFound when nothing has been ingested there yet. `store` gives the
    Milvus URI and token (a generation records its engine; without settings it opens the URI it was written to)."""
    for _ in range(2):
        gen_id = current_generation(Path(index_dir))
        if gen_id is None:
            break
        try:
            return IndexReader(Path(index_dir) / GENERATIONS / gen_id, store)
        except FileNotFoundError:  # CURRENT moved on and its old target was collected meanwhile: re-read
            continue
    raise IndexNotFound(f"no index at {index_dir}: run `notecite ingest NOTES_DIR --index {index_dir}` first")
