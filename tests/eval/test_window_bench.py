"""The scale bench's sentence windows (eval/window_bench.py) on a few hundred passages: ingest's own windows of
real passages, written as ingest writes them, and scored as the service scores them (each candidate by its
best window)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from eval.ingest_bench import passage_nodes
from eval.scale_bench import synthetic_vectors
from eval.window_bench import build_windows, cycled_passages, note_passages

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def test_windows_are_written_like_ingest_and_score_candidates_by_their_best_window(tmp_path: Path) -> None:
    passages = cycled_passages(note_passages(passage_nodes(FIXTURES)), 300)
    sample = synthetic_vectors(64, 32, seed=1)
    own = synthetic_vectors(len(passages), 32, seed=2)
    windows, stats = build_windows(tmp_path, passages, own, sample, window=2)
    assert stats["windows"] == len(windows) >= len(passages)  # a passage without windows is its own window
    assert set(windows.owners) == {p.node_id for p in passages}
    # a fixture's few windows can add under 0.05 MB to a fresh process (rounded to 0.0 in a CI run): measured, >= 0
    assert stats["disk_mb"]["sentences.npy"] > 0 and stats["loaded_rss_mb"] >= 0
    query = synthetic_vectors(1, 32, seed=3)[0]
    candidates = [str(i) for i in range(0, 300, 7)]
    ranked = windows.best(candidates, query)
    matrix = np.asarray(windows.matrix)
    owner = np.array(windows.owners)
    expected = {c: float(np.max(matrix[owner == c] @ query)) for c in candidates}
    assert [c for c, _ in ranked] == sorted(candidates, key=lambda c: -expected[c])
    assert all(np.isclose(score, expected[c]) for c, score in ranked)
