"""The service's HNSW beam width follows the index size (measured: recall@10 >= 0.95, docs/SCALE.md)."""

from __future__ import annotations

import faiss
import numpy as np
import pytest

from ingest import faiss_index


def test_ef_search_widens_with_the_index_and_covers_k() -> None:
    assert [faiss_index.ef_search(n, 40) for n in (20_000, 100_000, 300_000, 1_000_000)] == [128, 128, 256, 512]
    assert faiss_index.ef_search(50_000, 100) == 200  # never narrower than 2k


def test_search_sets_the_beam_on_the_graph() -> None:
    vectors = np.random.default_rng(0).standard_normal((500, 16), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = faiss_index.build_dense_index(vectors, hnsw_threshold=1)
    hits = faiss_index.search(index, vectors[7], 5)
    assert hits[0][0] == 7 and faiss.downcast_index(index.index).hnsw.efSearch == 128


def test_a_given_beam_is_used_and_a_graph_is_searched_on_one_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    vectors = np.random.default_rng(1).standard_normal((500, 16), dtype=np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    graph = faiss_index.build_dense_index(vectors, hnsw_threshold=1)
    flat = faiss_index.build_dense_index(vectors, hnsw_threshold=10**6)
    assert faiss_index.search(graph, vectors[3], 5, ef=24)[0][0] == 3
    assert faiss.downcast_index(graph.index).hnsw.efSearch == 24
    monkeypatch.setattr(faiss_index, "PARALLEL_SEARCH_MIN", 1)  # as if both were large
    faiss_index.search(flat, vectors[3], 5)
    assert faiss.omp_get_max_threads() == faiss_index.OMP_THREADS  # a large flat scan is split over the cores
    faiss_index.search(graph, vectors[3], 5)
    assert faiss.omp_get_max_threads() == 1  # one query's graph walk is sequential: more threads only wait
