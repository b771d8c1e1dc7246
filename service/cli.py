"""The service's commands (serve, ask, search, bench retrieval): thin wrappers over functions the tests call.

The composition root (notecite/cli.py) registers them on the one `notecite` app."""

from __future__ import annotations

import json
import logging
import sys
from pathlib import Path
from typing import Any

import typer

from core.settings import Settings, get_settings

NOT_COVERED_EXIT = 3  # `notecite ask`: the notes do not cover the question (its text is still printed)
SCOPE_HELP = "Only this document, or 'DOC#Section title' (repeat for several)."
OLD_SCOPE = typer.Option([], "--in", hidden=True, help="Deprecated: the old name of --scope.")


def scope_names(scope: list[str], old: list[str]) -> list[str]:
    """--scope's names and those given to its old name --in, which still works and says it is deprecated."""
    if old:
        typer.echo("warning: --in is deprecated; use --scope (same values)", err=True)
    return [*scope, *old]


def fail(message: str, code: int = 2) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(code)


def settings_with(**overrides: object) -> Settings:
    return get_settings().with_overrides(**overrides)


def index_settings(notes: Path | None, index: Path | None, **overrides: object) -> Settings:
    """Settings for a command that brings an index up to date before serving it. With no notes folder given
    (neither --notes nor NOTECITE_NOTES_DIR), the folders the index was built from: after `notecite ingest
    ~/notes --index X`, `notecite ask ... --index X` must not re-index the default folder over ~/notes."""
    from ingest.store import built_from

    settings = settings_with(notes_dir=notes, index_dir=index, **overrides)
    if notes is not None or "notes_dir" in get_settings().model_fields_set:
        return settings
    roots = built_from(settings.index_dir)
    note_root = next((r for r in roots if r["kind"] == "note" and not r["prefix"]), None)
    if note_root is None:
        return settings
    code_root = next((r for r in roots if r["kind"] == "code"), None)
    code_dir = Path(code_root["path"]) if code_root else None
    return settings.model_copy(update={"notes_dir": Path(note_root["path"]), "code_dir": code_dir})


def serve(
    host: str | None = typer.Option(None, help="Bind address (NOTECITE_HOST)."),
    port: int | None = typer.Option(None, help="Port (NOTECITE_PORT)."),
    notes: Path | None = typer.Option(None, help="Notes folder (NOTECITE_NOTES_DIR)."),
    index: Path | None = typer.Option(None, help="Index folder (NOTECITE_INDEX_DIR)."),
) -> None:
    """Start the HTTP service and chat UI; an empty or stale index is brought up to date first."""
    from service.server import bind_problem
    from service.server import serve as run_server

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = index_settings(notes, index, host=host, port=port)
    if not settings.notes_dir.is_dir():
        raise fail(f"notes folder {settings.notes_dir} does not exist; set NOTECITE_NOTES_DIR or --notes")
    if problem := bind_problem(settings.host, settings.port):
        raise fail(f"{problem}; choose another with --host/--port (NOTECITE_HOST, NOTECITE_PORT)")
    run_server(settings)


def ask(
    question: str = typer.Argument(..., help="Your question."),
    notes: Path | None = typer.Option(None, help="Notes folder."),
    index: Path | None = typer.Option(None, help="Index folder."),
    json_out: bool = typer.Option(False, "--json", help="Print the answer as JSON."),
    scope: list[str] = typer.Option([], "--scope", help=SCOPE_HELP),
    old_scope: list[str] = OLD_SCOPE,
) -> None:
    """Answer one question from the notes and print its citations (code with line numbers).

    Exit codes: 0 answered; 3 the notes do not cover the question (the abstention and the nearest passages
    are printed all the same); 2 bad input (an empty or over-long question, an unknown --scope) or no index."""
    from ingest.errors import IngestError
    from models.errors import ModelError
    from service.errors import ApiError
    from service.questions import check_question
    from service.runtime import Runtime
    from service.study.scope import ScopeError, parse_scope_option

    settings, names = index_settings(notes, index), scope_names(scope, old_scope)
    try:  # the rule /api/ask applies, before any index or model is loaded
        question = check_question(question, settings)
    except ApiError as exc:
        raise fail(exc.detail) from None
    if not settings.notes_dir.is_dir():
        raise fail(f"notes folder {settings.notes_dir} does not exist; set NOTECITE_NOTES_DIR or --notes")
    try:
        served = Runtime.build(settings).served
        answer = served.pipeline.answer(question, scope=parse_scope_option(names, served.reader))
    except (IngestError, ModelError, ScopeError) as exc:
        raise fail(str(exc)) from None
    print_answer(answer, json_out)
    if answer.abstained:
        raise typer.Exit(NOT_COVERED_EXIT)


def print_answer(answer: Any, json_out: bool) -> None:  # service.answer.Answer
    if json_out:
        typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(answer.text)
    for s in answer.sentences:
        if not s.supported:
            typer.echo(f"  (unsupported by the notes: {s.text})")
    if answer.abstained and answer.nearest:
        typer.echo("\nNearest passages:")
        for hit in answer.nearest[:5]:
            typer.echo(f"  {hit.doc} > {' > '.join(hit.breadcrumbs)}: {hit.text[:160]!r}")
    for c in answer.citations:
        spans = " ".join(f"[{s.start}:{s.end}]" for s in c.spans)  # each quoted sentence, not the text between
        where = f"{c.doc}:{c.line_start}-{c.line_end} {c.symbol}" if c.kind == "code" else f"{c.doc} {spans}"
        typer.echo(f"\n[{c.n}] {where}\n    {' > '.join(c.breadcrumbs)}")
        quoted = "\n    …\n    ".join(s.quote.replace("\n", "\n    ") for s in c.spans)
        typer.echo(c.code if c.code else "    " + quoted)


def search(
    query: str = typer.Argument(..., help="What to look for."),
    index: Path | None = typer.Option(None, "--index", help="Index folder (NOTECITE_INDEX_DIR)."),
    k: int | None = typer.Option(
        None, "-k", "--k", min=1, help="Hits to return (default NOTECITE_LIMITS__SEARCH_K, 10; at most 50)."
    ),
    mode: str = typer.Option("hybrid", help="hybrid | dense | bm25"),
    scope: list[str] = typer.Option([], "--scope", help=SCOPE_HELP),
    old_scope: list[str] = OLD_SCOPE,
    json_out: bool = typer.Option(False, "--json", help="Print hits as JSON."),
) -> None:
    """Hybrid search of the index (no answer generated): the passages an answer would cite."""
    from ingest.errors import IndexNotFound
    from ingest.store import open_index
    from models.embedder import embedder_for, onnx_cache
    from models.tuned_embedder import generation_embedder
    from retrieval.retriever import Retriever
    from service.errors import ApiError
    from service.questions import check_question
    from service.study.scope import ScopeError, parse_scope_option

    if mode not in ("hybrid", "dense", "bm25"):
        raise fail(f"--mode {mode!r}: choose hybrid, dense or bm25")
    settings = settings_with(index_dir=index)
    try:  # the rules of /api/search: an empty query listed arbitrary passages and exited 0
        query, hits_wanted = check_question(query, settings, param="query"), settings.limits.search_hits(k)
    except ApiError as exc:
        raise fail(exc.detail) from None
    except ValueError as exc:
        raise fail(f"-k: {exc}") from None
    try:
        reader = open_index(settings.index_dir, settings.store)
        spans = parse_scope_option(scope_names(scope, old_scope), reader)
    except (IndexNotFound, ScopeError) as exc:
        raise fail(str(exc)) from None
    embedder = generation_embedder(
        reader.path, reader.embedder_name, embedder_for(settings), onnx_dir=onnx_cache(settings)
    )
    retriever = Retriever(reader, embedder, settings.retrieval)
    hits = retriever.retrieve(query, mode=mode, k=hits_wanted, scope=spans)  # type: ignore[arg-type]
    if json_out:
        keys = ("doc", "breadcrumbs", "start", "end", "text", "score", "kind", "symbol", "line_start", "line_end")
        typer.echo(json.dumps([{key: getattr(h, key) for key in keys} for h in hits], ensure_ascii=False, indent=1))
        return
    for n, hit in enumerate(hits, 1):
        where = (
            f"{hit.doc}:{hit.line_start}-{hit.line_end}" if hit.kind == "code" else f"{hit.doc} [{hit.start}:{hit.end}]"
        )
        typer.echo(f"{n}. {' > '.join(hit.breadcrumbs)}  ({where}, score {hit.score:.4f})")
        snippet = " ".join(hit.text.split())
        typer.echo(f"   {snippet[:240]}{'...' if len(snippet) > 240 else ''}")


def bench_retrieval_command(
    notes: Path | None = typer.Option(None, help="Notes folder."),
    index: Path | None = typer.Option(None, help="Index folder."),
    dataset: Path = typer.Option(Path("eval/datasets/notes_dev.jsonl"), help="Questions to time (JSONL)."),
    repeats: int = typer.Option(5, min=1),
    out: Path = typer.Option(Path("artifacts/bench/retrieval.json"), help="Where the JSON report goes."),
    json_out: bool = typer.Option(False, "--json", help="Print the JSON report."),
    breakdown: bool = typer.Option(False, help="Also hybrid with each change undone alone (torch query, stems)."),
) -> None:
    """p50/p95 of hybrid retrieval on the notes; dense, BM25 and the path before as same-process baselines."""
    from ingest.pipeline import corpus_roots, ingest_corpus, ingest_options
    from ingest.store import open_index
    from models.embedder import embedder_for
    from retrieval.retriever import Retriever
    from service.bench import bench_retrieval, load_queries, markdown

    settings = settings_with(notes_dir=notes, index_dir=index)
    embedder = embedder_for(settings)
    ingest_corpus(corpus_roots(settings), settings.index_dir, embedder, **ingest_options(settings))
    retriever = Retriever(open_index(settings.index_dir), embedder, settings.retrieval)
    report = bench_retrieval(retriever, load_queries(dataset), repeats=repeats, breakdown=breakdown)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    out.with_suffix(".md").write_text(markdown(report))
    if json_out:
        typer.echo(json.dumps(report, indent=2))
    else:
        for name, row in {**report["modes"], **report["baselines"]}.items():
            typer.echo(f"{name:>28}: p50 {row['p50_ms']:.2f} ms  p95 {row['p95_ms']:.2f} ms  x{row['p50_vs_dense']}")
        for name, row in report["before_over_after"].items():
            typer.echo(f"{name:>28}: before/after p50 {row['p50']}x, CPU p50 {row['cpu_p50']}x")
        typer.echo(f"report: {out}", err=sys.stderr.isatty())
