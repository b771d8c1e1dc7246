"""`notecite ask`, `search` and `bench retrieval` through the real CLI, on the session's index."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from core.settings import Settings
from notecite.cli import app
from service.runtime import Runtime

runner = CliRunner()


def test_ask_code_question_prints_numbered_code_and_the_note(service_settings: Settings, runtime: Runtime):
    result = runner.invoke(
        app,
        [
            "ask",
            "how do I code a GRU cell?",
            "--notes",
            str(service_settings.notes_dir),
            "--index",
            str(service_settings.index_dir),
        ],
    )
    assert result.exit_code == 0, result.output
    assert re.search(r"^\[\d+\] reference/rnn\.py:\d+-\d+ gru_cell", result.output, re.M), result.output
    assert re.search(r"^\s*\d+\s+def gru_cell\(", result.output, re.M)
    assert re.search(r"^\[\d+\] 00\d_\w+\.txt \[\d+:\d+\]", result.output, re.M)
    assert "gru" in result.output.lower().split("reference/rnn.py")[0]


def test_search_json_hits_are_exact_spans(service_settings: Settings, runtime: Runtime) -> None:
    result = runner.invoke(
        app, ["search", "what does LoRA keep frozen", "--index", str(service_settings.index_dir), "--json"]
    )
    assert result.exit_code == 0, result.output
    hits = json.loads(result.output)
    assert "lora" in hits[0]["text"].lower()
    for hit in hits:
        assert runtime.served.reader.source_text(hit["doc"])[hit["start"] : hit["end"]] == hit["text"]


def test_search_without_an_index_is_one_line_and_exit_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["search", "lora", "--index", str(tmp_path / "none")])
    assert result.exit_code == 2
    assert "Traceback" not in result.output and "no index" in result.output.lower()


def test_bench_retrieval_writes_a_json_report(service_settings: Settings, runtime: Runtime, tmp_path: Path):
    out = tmp_path / "retrieval.json"
    result = runner.invoke(
        app,
        [
            "bench",
            "retrieval",
            "--notes",
            str(service_settings.notes_dir),
            "--index",
            str(service_settings.index_dir),
            "--repeats",
            "1",
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    report = json.loads(out.read_text())
    assert set(report["modes"]) == {"dense", "bm25", "hybrid", "hybrid+merge", "query_embedding_only"}
    assert report["modes"]["dense"]["p50_vs_dense"] == 1.0
    assert all(row["p50_ms"] > 0 and row["p95_ms"] >= row["p50_ms"] for row in report["modes"].values())
