"""`ingest` and `search` as a user runs them: exit codes, one-line errors, and the acceptance check."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from notecite.cli import app as notecite_app


@pytest.fixture(scope="module")
def app() -> typer.Typer:
    """The real `notecite` command: `ingest` from notecite.ingest_command, `search` over the hybrid retriever."""
    return notecite_app


def run(app: typer.Typer, *args: str):
    return CliRunner().invoke(app, [str(a) for a in args])


def test_missing_notes_dir_is_one_line_and_exit_2(app: typer.Typer, tmp_path: Path) -> None:
    result = run(app, "ingest", tmp_path / "no-such-notes", "--index", tmp_path / "index", "--code-dir", tmp_path)
    assert result.exit_code == 2
    assert result.stderr.strip().splitlines() == [f"error: notes folder not found: {tmp_path / 'no-such-notes'}"]
    assert "Traceback" not in result.output


def test_search_without_index_is_one_line_and_exit_2(app: typer.Typer, tmp_path: Path) -> None:
    result = run(app, "search", "lora", "--index", tmp_path / "empty")
    assert result.exit_code == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "no index at" in result.stderr


def test_ingest_summary_and_skipped_files(
    app: typer.Typer, small_corpus: Path, tmp_path: Path, fixtures_dir: Path
) -> None:
    (small_corpus / "empty.txt").write_text("")
    code = tmp_path / "code"
    code.mkdir()
    (code / "module.py").write_text((fixtures_dir / "module.py").read_text())
    result = run(app, "ingest", small_corpus, "--index", tmp_path / "index", "--code-dir", code)
    assert result.exit_code == 0, result.output
    assert "skipped empty.txt: empty file" in result.stderr
    summary = re.fullmatch(
        r"(\d+) files, (\d+) sections, (\d+) passages \((\d+) embedded\), (\d+) removed, "
        r"(\d+) skipped in [\d.]+ s; most passages: \S+ \(\d+\)",
        result.stdout.strip(),
    )
    assert summary is not None, result.stdout
    files, _, passages, embedded, removed, skipped = map(int, summary.groups())
    assert (files, removed, skipped) == (4, 0, 1) and embedded == passages > 0
    again = run(app, "ingest", small_corpus, "--index", tmp_path / "index", "--code-dir", code)
    assert "(0 embedded)" in again.stdout
    hits = json.loads(run(app, "search", "Counter add", "--index", tmp_path / "index", "--json").stdout)
    code_hit = next(h for h in hits if h["kind"] == "code")
    assert code_hit["doc"] == "reference/module.py" and code_hit["symbol"] == "Counter"
    assert code_hit["line_start"] < code_hit["line_end"]
    notes_only = run(app, "ingest", small_corpus, "--index", tmp_path / "index", "--no-code")
    assert notes_only.exit_code == 0 and ", 1 removed," in notes_only.stdout


def test_ingest_json_names_what_was_parsed_and_embedded(app: typer.Typer, small_corpus: Path, tmp_path: Path) -> None:
    args = ("ingest", small_corpus, "--index", tmp_path / "index", "--no-code", "--json")
    first = json.loads(run(app, *args).stdout)
    assert first["parsed"] == first["files"] == 3
    (small_corpus / "optim.md").write_text("# Optimizers\n\n## RMSprop\n\nRMSprop divides by a running RMS.\n")
    report = json.loads(run(app, *args).stdout)
    # one file changed: only it is parsed, and it is where the one passage to embed comes from
    assert (report["files"], report["parsed"], report["embedded"]) == (3, 1, 1)
    assert report["largest_files"] == [["optim.md", 1]]


def test_unwritable_index_is_one_line(app: typer.Typer, small_corpus: Path, tmp_path: Path) -> None:
    (tmp_path / "file").write_text("not a directory")
    result = run(app, "ingest", small_corpus, "--index", tmp_path / "file" / "index", "--no-code")
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert result.stderr.startswith("error: cannot write the index at") and result.stderr.count("\n") == 1


def test_acceptance_lora_question_on_the_real_notes(app: typer.Typer, notes_index, notes_dir: Path) -> None:
    index_dir, report = notes_index
    assert report.files == 5 and report.skipped == [] and report.passages > 50
    result = run(app, "search", "what does LoRA keep frozen", "--index", index_dir, "--json", "-k", "5")
    assert result.exit_code == 0, result.output
    hits = json.loads(result.stdout)
    assert len(hits) == 5
    top = hits[0]
    assert "lora" in (top["text"] + " ".join(top["breadcrumbs"])).lower()
    for hit in hits:  # every citation points at the exact characters of the user's file
        source = (notes_dir / hit["doc"]).read_text(encoding="utf-8")
        assert source[hit["start"] : hit["end"]] == hit["text"]
        assert set(hit) >= {"doc", "breadcrumbs", "start", "end", "text", "score"}
    plain = run(app, "search", "what does LoRA keep frozen", "--index", index_dir)
    assert plain.exit_code == 0 and plain.stdout.startswith("1. ")
