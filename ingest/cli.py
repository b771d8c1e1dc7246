"""`notecite ingest` and `notecite search`: argument parsing and messages only; the work is in pipeline/store.

The lead registers these functions in the single typer app (service/cli.py). Errors are one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from ingest.errors import IndexNotFound, IngestError
from ingest.pipeline import DEFAULT_CODE_DIR, DEFAULT_INDEX_DIR, CorpusRoot, IngestReport, ingest_corpus
from ingest.store import IndexReader, open_index


def _fail(message: str) -> typer.Exit:
    typer.echo(f"error: {message}", err=True)
    return typer.Exit(2)


class _Bars:
    """tqdm bars for the two slow stages; created lazily so an up-to-date index prints no embed bar."""

    def __init__(self) -> None:
        self._bars: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        from tqdm import tqdm

        bar = self._bars.get(stage)
        if bar is None:
            bar = self._bars[stage] = tqdm(
                total=total,
                desc=stage,
                unit=" files" if stage == "files" else " chunks",
                file=sys.stderr,
                leave=False,
                disable=None,
            )
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


def ingest(
    notes_dir: Path = typer.Argument(
        ..., help="Folder of notes (.txt .md .html .pdf .py), walked recursively."
    ),
    index: Path = typer.Option(DEFAULT_INDEX_DIR, "--index", help="Index directory (generations live here)."),
    code_dir: Path | None = typer.Option(
        DEFAULT_CODE_DIR, "--code-dir", help="Python reference code indexed as 'code'."
    ),
    max_file_bytes: int = typer.Option(5_000_000, help="Skip files larger than this."),
    no_code: bool = typer.Option(False, "--no-code", help="Index the notes only, without reference code."),
) -> IngestReport:
    """Index a notes folder; unchanged files are not embedded again."""
    from models.embedder import load_embedder

    if not notes_dir.is_dir():
        raise _fail(f"notes folder not found: {notes_dir}")
    roots = [CorpusRoot(notes_dir)]
    if code_dir is not None and not no_code:  # the default reference/ may be absent from an installed copy
        roots.append(
            CorpusRoot(code_dir, prefix="reference/", kind="code", optional=code_dir == DEFAULT_CODE_DIR)
        )
    bars = _Bars()
    try:
        report = ingest_corpus(roots, index, load_embedder(), max_file_bytes=max_file_bytes, progress=bars)
    except IngestError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:  # e.g. an index dir that cannot be written
        raise _fail(f"cannot write the index at {index}: {exc.strerror or exc}") from None
    finally:
        bars.close()
    for doc, reason in report.skipped:
        typer.echo(f"skipped {doc}: {reason}", err=True)
    typer.echo(report.summary())
    return report


def search_hits(reader: IndexReader, embedder: Any, query: str, k: int) -> list[dict[str, Any]]:
    """Rank leaves for a query: dense and BM25 fused by reciprocal rank (the lead may swap this out)."""
    pool = max(20, 2 * k)
    dense = reader.dense_search(embedder.embed([query])[0], pool)
    sparse = reader.bm25_search(query, pool)
    fused: dict[str, float] = {}
    for ranking in (dense, sparse):
        for rank, (node_id, _) in enumerate(ranking):
            fused[node_id] = fused.get(node_id, 0.0) + 1.0 / (60 + rank + 1)
    top = sorted(fused, key=lambda i: -fused[i])[:k]
    hits = []
    for node in reader.get_nodes(top):
        meta = node.metadata
        hit = {
            "doc": meta["doc"],
            "breadcrumbs": meta["breadcrumbs"],
            "start": meta["start"],
            "end": meta["end"],
            "kind": meta["kind"],
            "text": node.text,
            "score": round(fused[node.node_id], 6),
        }
        hit.update({key: meta[key] for key in ("symbol", "line_start", "line_end") if key in meta})
        hits.append(hit)
    return hits


def search(
    query: str = typer.Argument(..., help="What to look for."),
    index: Path = typer.Option(DEFAULT_INDEX_DIR, "--index", help="Index directory."),
    k: int = typer.Option(5, "-k", "--k", min=1, max=100, help="Number of passages."),
    json_out: bool = typer.Option(False, "--json", help="Print hits as JSON."),
) -> None:
    """Show the passages that best match a query."""
    from models.embedder import load_embedder

    try:
        reader = open_index(index)
    except IndexNotFound as exc:
        raise _fail(str(exc)) from None
    embedder = load_embedder(reader.embedder_name)
    hits = search_hits(reader, embedder, query, k)
    if json_out:
        typer.echo(json.dumps(hits, ensure_ascii=False, indent=1))
        return
    for n, hit in enumerate(hits, 1):
        where = (
            f"{hit['doc']}:{hit['line_start']}-{hit['line_end']}"
            if "line_start" in hit
            else f"{hit['doc']} [{hit['start']}:{hit['end']}]"
        )
        typer.echo(f"{n}. {' > '.join(hit['breadcrumbs'])}  ({where}, score {hit['score']:.4f})")
        snippet = " ".join(hit["text"].split())
        typer.echo(f"   {snippet[:240]}{'...' if len(snippet) > 240 else ''}")
