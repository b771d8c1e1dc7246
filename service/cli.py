"""The `notecite` command: thin wrappers over functions the tests call directly."""

from __future__ import annotations

import json
import logging
import os
import sys
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import typer  # noqa: E402

from ingest.cli import ingest as ingest_command  # noqa: E402
from ingest.cli import search as search_command  # noqa: E402

app = typer.Typer(help="Ask questions of your notes; answers cite the exact passages.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks that write JSON reports.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.command("ingest", help="Index a folder of notes (incremental).")(ingest_command)
app.command("search", help="Search the index without generating an answer.")(search_command)


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def settings_with(**overrides: object):  # noqa: ANN201 - service.settings.Settings
    from service.settings import get_settings

    settings = get_settings()
    changed = {k: v for k, v in overrides.items() if v is not None}
    return settings.model_copy(update=changed) if changed else settings


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Bind address (NOTECITE_HOST)."),
    port: int | None = typer.Option(None, help="Port (NOTECITE_PORT)."),
    notes: Path | None = typer.Option(None, help="Notes folder (NOTECITE_NOTES_DIR)."),
    index: Path | None = typer.Option(None, help="Index folder (NOTECITE_INDEX_DIR)."),
) -> None:
    """Start the HTTP service and chat UI; an empty or stale index is brought up to date first."""
    from service.server import serve as run_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = settings_with(host=host, port=port, notes_dir=notes, index_dir=index)
    if not settings.notes_dir.is_dir():
        raise fail(f"notes folder {settings.notes_dir} does not exist; set NOTECITE_NOTES_DIR or --notes")
    run_server(settings)


@app.command()
def ask(
    question: str = typer.Argument(..., help="Your question."),
    notes: Path | None = typer.Option(None, help="Notes folder."),
    index: Path | None = typer.Option(None, help="Index folder."),
    json_out: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
) -> None:
    """Answer one question from the notes and print its citations (code with line numbers)."""
    from service.resources import Resources

    settings = settings_with(notes_dir=notes, index_dir=index)
    if not settings.notes_dir.is_dir():
        raise fail(f"notes folder {settings.notes_dir} does not exist; set NOTECITE_NOTES_DIR or --notes")
    if not question.strip():
        raise fail("the question is empty")
    pipeline = Resources.build(settings).served.pipeline
    if json_out:
        typer.echo(json.dumps(pipeline.answer(question).to_dict(), indent=2, ensure_ascii=False))
        return
    answer = None
    for event in pipeline.stream(question):
        if hasattr(event, "answer"):
            answer = event.answer
    assert answer is not None
    typer.echo(answer.text)
    for s in answer.sentences:
        if not s.supported:
            typer.echo(f"  (unsupported by the notes: {s.text})")
    if answer.abstained and answer.nearest:
        typer.echo("\nNearest passages:")
        for hit in answer.nearest[:5]:
            typer.echo(f"  {hit.doc} > {' > '.join(hit.breadcrumbs)}: {hit.text[:160]!r}")
    for c in answer.citations:
        where = f"{c.doc}:{c.line_start}-{c.line_end} {c.symbol}" if c.kind == "code" else f"{c.doc} [{c.start}:{c.end}]"
        typer.echo(f"\n[{c.n}] {where}\n    {' > '.join(c.breadcrumbs)}")
        typer.echo(c.code if c.code else "    " + c.quote.replace("\n", "\n    "))


@bench_app.command("retrieval")
def bench_retrieval_command(
    notes: Path | None = typer.Option(None, help="Notes folder."),
    index: Path | None = typer.Option(None, help="Index folder."),
    dataset: Path = typer.Option(Path("eval/datasets/notes_dev.jsonl"), help="Questions to time (JSONL)."),
    repeats: int = typer.Option(5, min=1),
    out: Path = typer.Option(Path("artifacts/bench/retrieval.json"), help="Where the JSON report goes."),
    json_out: bool = typer.Option(False, "--json", help="Print the JSON report."),
) -> None:
    """p50/p95 of hybrid retrieval on the notes, with dense and BM25 as same-process baselines."""
    from ingest.pipeline import ingest_corpus
    from ingest.store import open_index
    from models.embedder import load_embedder
    from service.bench import bench_retrieval, load_queries
    from service.resources import corpus_roots, retrieval_params
    from service.retrieval import Retriever

    settings = settings_with(notes_dir=notes, index_dir=index)
    embedder = load_embedder(settings.embedder)
    ingest_corpus(corpus_roots(settings), settings.index_dir, embedder, max_file_bytes=settings.max_file_bytes)
    retriever = Retriever(open_index(settings.index_dir), embedder, retrieval_params(settings))
    report = bench_retrieval(retriever, load_queries(dataset), repeats=repeats)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    if json_out:
        typer.echo(json.dumps(report, indent=2))
    else:
        for name, row in report["modes"].items():
            typer.echo(f"{name:>13}: p50 {row['p50_ms']:.2f} ms  p95 {row['p95_ms']:.2f} ms  x{row['p50_vs_dense']}")
        typer.echo(f"report: {out}", err=sys.stderr.isatty())


if __name__ == "__main__":
    app()
