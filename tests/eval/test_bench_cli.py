"""`notecite bench ingest` and `bench retrieval --sizes` on tiny inputs: the reports they write say what the
issue asks (our embedding path against SentenceTransformer.encode with every text's cosine; HNSW recall
against exact search per graph and efSearch; the query embedding's share of a hybrid query)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from core.settings import get_settings
from models.fast_embed import native_bf16
from notecite.cli import app

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def test_bench_ingest_reports_stages_and_an_equivalent_embedding_path(tmp_path: Path) -> None:
    out = tmp_path / "ingest.json"
    args = ["bench", "ingest", "--corpus", str(FIXTURES), "--repeats", "1", "--out", str(out)]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    run = json.loads(out.read_text())["runs"][0]
    assert run["passages"] > 0 and set(run["seconds"]) == {"parse", "chunk", "embed", "windows", "index"}
    assert run["windows"] >= run["passages"]  # the default sentence windows: at least one per passage
    emb = run["embedding"]
    # ingest's batches in bfloat16 where the CPU multiplies it (NOTECITE_INGEST_BF16, on by default), else float32
    path = "fast-cpu-bf16" if native_bf16() else "fast-cpu"
    assert emb["path"] == path and emb["texts"] == run["passages"]
    assert emb["equivalent"] and emb["cosine_min"] >= 0.999 and emb["speedup"] > 0 and emb["fp32_per_s"] > 0
    assert 0 < run["embedded"] <= run["passages"] + run["windows"]  # each distinct text once
    assert f"| {path} |" in out.with_suffix(".md").read_text()


def test_bench_retrieval_sizes_reports_recall_per_graph_and_the_embedding_share(tmp_path: Path) -> None:
    out = tmp_path / "retrieval.json"
    args = ["bench", "retrieval", "--sizes", "2000", "--queries", "4", "--out", str(out)]
    args += ["--hnsw-grid", "8:20,32:80", "--ef-search", "16,128", "--milvus-max", "0", "--rank-bm25-max", "0"]
    args += ["--window-sample-passages", "4"]
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 0, result.output
    row = json.loads(out.read_text())["rows"][0]
    recall = {k: v["recall_at_10"] for k, v in row["dense"].items() if k.startswith("faiss_hnsw")}
    assert set(recall) == {f"faiss_hnsw_M{m}_efc{c}_ef{ef}" for m, c in ((8, 20), (32, 80)) for ef in (16, 128)}
    assert all(0 <= r <= 1 for r in recall.values())
    assert recall["faiss_hnsw_M32_efc80_ef128"] >= recall["faiss_hnsw_M8_efc20_ef16"]  # more search, more found
    assert row["hybrid"]["hybrid"]["dense"] == "flat"  # 2,000 passages: under the service's HNSW threshold
    # a ratio of two medians timed apart: on a busy machine it may pass 1, so only its presence is checked
    assert row["hybrid"]["embedding_share_p50"] > 0
    assert "embedding share of hybrid p50" in out.with_suffix(".md").read_text()
    # the service's default hybrid has the sentence-window ranking too: timed beside the one without
    windows, hybrid = row["windows"], row["hybrid"]
    assert windows["windows"] >= 2000 and windows["disk_mb"]["sentences.npy"] > 0
    assert {"hybrid_windows", "window_search"} <= set(hybrid)
    assert hybrid["hybrid_windows"]["n"] == hybrid["hybrid"]["n"] == 4
    assert hybrid["window_share_p50"] > 0  # timed apart from hybrid_windows: on a busy machine it may pass 1
    assert "Sentence windows (the service's default hybrid)" in out.with_suffix(".md").read_text()


def test_bench_retrieval_sizes_over_no_notes_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """An empty notes folder has no passages to cycle into 2,000: a line on stderr and exit 2, not a
    ZeroDivisionError from the cycling."""
    (tmp_path / "notes").mkdir()
    monkeypatch.setenv("NOTECITE_NOTES_DIR", str(tmp_path / "notes"))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, ["bench", "retrieval", "--sizes", "2000", "--out", str(tmp_path / "r.json")])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2
    assert "no passages under" in result.stderr and not (tmp_path / "r.json").exists()
