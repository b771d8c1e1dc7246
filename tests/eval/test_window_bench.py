"""The scale bench's sentence-window index (eval/window_bench.py) on a few hundred passages: ingest's own
windows of real passages, the service's flat/HNSW rule, and the window ranking's recall against the same
ranking searched exactly (a narrower beam can only lose passages)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from eval.ingest_bench import passage_nodes
from eval.scale_bench import synthetic_vectors
from eval.window_bench import build_windows, cycled_passages, note_passages, sweep

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def test_window_index_is_built_like_ingest_and_its_recall_is_measured(tmp_path: Path) -> None:
    passages = cycled_passages(note_passages(passage_nodes(FIXTURES)), 300)
    sample = synthetic_vectors(64, 32, seed=1)
    own = synthetic_vectors(len(passages), 32, seed=2)
    flat_dir, hnsw_dir = tmp_path / "flat", tmp_path / "hnsw"
    flat_dir.mkdir(), hnsw_dir.mkdir()
    flat, flat_stats = build_windows(flat_dir, passages, own, sample, window=2, hnsw_threshold=10**6)
    hnsw, stats = build_windows(hnsw_dir, passages, own, sample, window=2, hnsw_threshold=1)
    assert (flat_stats["engine"], stats["engine"]) == ("flat", "hnsw")
    assert stats["windows"] == len(hnsw) >= len(passages)  # a passage without windows is its own window
    assert set(hnsw.owners) == {p.node_id for p in passages}
    assert stats["disk_mb"]["sentences.npy"] > 0 and stats["loaded_rss_mb"] > 0
    queries = list(synthetic_vectors(20, 32, seed=3))
    exact = sweep(flat, queries, 10, [(4, None)])["service"]
    assert exact["recall_at_10"] == 1.0 and exact["ef_search"] is None  # flat is the exact search itself
    graph = sweep(hnsw, queries, 10, [(4, None), (1, 10)])
    assert 0 < graph["fetch1_ef10"]["recall_at_10"] <= graph["service"]["recall_at_10"] <= 1
    assert graph["service"]["ef_search"] >= 80 and graph["fetch1_ef10"]["ef_search"] == 10
    assert np.isfinite(graph["service"]["p50_ms"])
