"""The dense index: exact inner product for small corpora, HNSW above a size threshold.

Vectors are L2-normalized, so inner product is cosine. Row i of the index is row i of the
generation's `vectors.npy` and `ids.json`. A GPU build of FAISS is used for search when one is
installed and sees a GPU; everything works with faiss-cpu.
"""

from __future__ import annotations

import threading
from contextlib import nullcontext
from functools import lru_cache

import faiss
import numpy as np

GPU_SEARCH_LOCK = threading.Lock()  # FAISS GPU indexes are not thread-safe, even for search
HNSW_M = 32  # graph degree: the usual accuracy/memory balance for a few hundred dims
HNSW_EF_CONSTRUCTION = 80
# Below this many vectors one thread searches faster than a team: waking OpenMP threads costs more than the
# scan, and their spinning afterwards slows the next query's embedding (measured: hybrid p50 18.5 -> 13.6 ms)
PARALLEL_SEARCH_MIN = 50_000
OMP_THREADS = faiss.omp_get_max_threads()


@lru_cache(maxsize=1)
def gpu_count() -> int:
    """GPUs FAISS can use (0 with faiss-cpu, which lacks the function or reports none)."""
    try:
        return int(faiss.get_num_gpus())
    except AttributeError:
        return 0


def build_dense_index(vectors: np.ndarray, hnsw_threshold: int) -> faiss.Index:
    """IndexIDMap over Flat (exact) or HNSW (approximate, sub-linear) inner product; ids are rows."""
    n, dim = vectors.shape
    faiss.omp_set_num_threads(OMP_THREADS)  # a small-index search may have left it at one
    if n >= hnsw_threshold:
        inner: faiss.Index = faiss.IndexHNSWFlat(dim, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
    else:
        inner = faiss.IndexFlatIP(dim)
    index = faiss.IndexIDMap(inner)
    if n:
        index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), np.arange(n, dtype=np.int64))
    return index


# efSearch that gave recall@10 >= 0.95 against exact search (M=32, efConstruction 80, vectors drawn like the
# notes' own; `notecite bench retrieval --sizes`, docs/SCALE.md): 128 up to 100k (0.956), 256 up to 300k
# (0.961); 512 above (0.993 at 300k; 1M was not built on the 2-core machine)
HNSW_EF_SEARCH = ((100_000, 128), (300_000, 256))
HNSW_EF_SEARCH_ABOVE = 512


def ef_search(n: int, k: int) -> int:
    """The HNSW beam for a k-nearest search over n vectors: at least 2k, and wide enough for the recall above."""
    ef = next((ef for limit, ef in HNSW_EF_SEARCH if n <= limit), HNSW_EF_SEARCH_ABOVE)
    return max(ef, 2 * k)


def is_hnsw(index: faiss.Index) -> bool:
    inner = faiss.downcast_index(index.index) if isinstance(index, faiss.IndexIDMap) else index
    return isinstance(inner, faiss.IndexHNSW)


def for_search(index: faiss.Index) -> faiss.Index:
    """Move a flat index to all GPUs when possible (HNSW has no GPU implementation)."""
    if gpu_count() > 0 and not is_hnsw(index):
        try:
            return faiss.index_cpu_to_all_gpus(index)
        except (AttributeError, RuntimeError):
            return index
    return index


def search(index: faiss.Index, query: np.ndarray, k: int, ef: int | None = None) -> list[tuple[int, float]]:
    """(row, cosine) pairs, best first; k is capped at the index size. `ef`: the HNSW beam (None: `ef_search`)."""
    k = min(k, index.ntotal)
    if k <= 0:
        return []
    graph = is_hnsw(index)
    if graph:
        faiss.downcast_index(index.index).hnsw.efSearch = max(ef, k) if ef else ef_search(index.ntotal, k)
    # One query's graph search runs on one thread whatever the setting; with more, IndexIDMap's id translation
    # opens a parallel region whose barrier waits a scheduler tick whenever another process holds a core
    # (IDMap over HNSW, 60k vectors, efSearch 320, load 3.7: 8 ms a query on 2 threads, 2.7-3.7 ms on one)
    faiss.omp_set_num_threads(1 if graph or index.ntotal < PARALLEL_SEARCH_MIN else OMP_THREADS)
    with GPU_SEARCH_LOCK if gpu_count() > 0 else nullcontext():
        scores, rows = index.search(np.ascontiguousarray(query, dtype=np.float32).reshape(1, -1), k)
    return [(int(r), float(s)) for r, s in zip(rows[0], scores[0], strict=True) if r >= 0]
