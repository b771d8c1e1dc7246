"""`notecite ask`, `search` and `bench retrieval` through the real CLI, on the session's index."""

from __future__ import annotations

import json
import re
from pathlib import Path

from typer.testing import CliRunner

from core.settings import Settings, get_settings
from ingest.store import open_index
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


def test_ask_keeps_the_notes_its_index_was_built_from(tmp_path: Path, monkeypatch) -> None:
    # `notecite ingest ~/notes --index X`, then `notecite ask ... --index X` with no notes folder named: the
    # index's own folders are brought up to date, not the default notes folder indexed over the user's
    notes = tmp_path / "my-notes"
    notes.mkdir()
    (notes / "tea.md").write_text("# Matcha\n\nA chasen is the bamboo whisk used to froth matcha tea.\n")
    index = tmp_path / "index"
    monkeypatch.delenv("NOTECITE_NOTES_DIR", raising=False)
    monkeypatch.delenv("NOTECITE_CODE_DIR", raising=False)
    get_settings.cache_clear()
    try:
        built = runner.invoke(app, ["ingest", str(notes), "--index", str(index), "--no-code"])
        assert built.exit_code == 0, built.output
        asked = runner.invoke(app, ["ask", "which whisk froths matcha tea?", "--index", str(index), "--json"])
        assert asked.exit_code == 0, asked.output
    finally:
        get_settings.cache_clear()
    assert {d.doc for d in open_index(index).documents()} == {"tea.md"}  # no default notes, no reference code
    answer = json.loads(asked.stdout)
    assert answer["sources"][0]["doc"] == "tea.md" and "chasen" in answer["text"]
