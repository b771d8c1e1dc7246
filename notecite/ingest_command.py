"""`notecite ingest`: argument parsing and messages only; the work is in ingest.pipeline and ingest.store.

It lives in the composition root because it joins ingest with the embedder from models. Errors are one
line on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from pathlib import Path
from typing import Any

import typer

from core.settings import get_settings
from ingest.errors import IngestError
from ingest.pipeline import IngestReport, corpus_roots, ingest_corpus, ingest_options
from models.embedder import embedder_for
from models.tuned_embedder import ingest_tuner


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
                unit={"files": " files", "windows": " windows"}.get(stage, " passages"),
                file=sys.stderr,
                leave=False,
                disable=None,
            )
        bar.update(done - bar.n)

    def close(self) -> None:
        for bar in self._bars.values():
            bar.close()


def ingest(
    notes_dir: Path | None = typer.Argument(
        None, help="Folder of notes, walked recursively (default: NOTECITE_NOTES_DIR)."
    ),
    index: Path | None = typer.Option(None, "--index", help="Index directory (default: NOTECITE_INDEX_DIR)."),
    uploads: Path | None = typer.Option(
        None, "--uploads", help="Notes uploaded through the service (default: INDEX/../uploads); kept in the index."
    ),
    code_dir: Path | None = typer.Option(None, "--code-dir", help="Python reference code indexed as 'code'."),
    max_file_bytes: int | None = typer.Option(
        None, help="Skip files larger than this (NOTECITE_LIMITS__MAX_FILE_BYTES)."
    ),
    no_code: bool = typer.Option(False, "--no-code", help="Index the notes only, without reference code."),
    tune_embedder: bool | None = typer.Option(
        None,
        "--tune-embedder/--no-tune-embedder",
        help="Tune the embedder on the notes, kept only if it wins on held-out pairs "
        "(NOTECITE_EMBEDDER_TUNING__ENABLED).",
    ),
    json_out: bool = typer.Option(
        False, "--json", help="Print the report as JSON (the fields of POST /api/documents')."
    ),
) -> IngestReport:
    """Index a notes folder; unchanged files are not embedded again."""
    settings = get_settings().with_overrides(
        notes_dir=notes_dir,
        index_dir=index,
        upload_dir=uploads,
        code_dir=code_dir,
        limits={"max_file_bytes": max_file_bytes} if max_file_bytes else None,
        embedder_tuning={"enabled": tune_embedder} if tune_embedder is not None else None,
    )
    if no_code:
        settings = settings.model_copy(update={"code_dir": None})
    if not settings.notes_dir.is_dir():
        raise _fail(f"notes folder not found: {settings.notes_dir}")
    if code_dir is not None and not no_code and not code_dir.is_dir():
        raise _fail(f"code folder not found: {code_dir}")
    bars = _Bars()
    tuner = ingest_tuner(settings)
    try:
        report = ingest_corpus(
            corpus_roots(settings),
            settings.index_dir,
            embedder_for(settings),
            **ingest_options(settings),
            progress=bars,
            store=settings.store,
            tuner=tuner,
        )
    except IngestError as exc:
        raise _fail(str(exc)) from None
    except OSError as exc:  # e.g. an index dir that cannot be written
        raise _fail(f"cannot write the index at {settings.index_dir}: {exc.strerror or exc}") from None
    finally:
        bars.close()
    for doc, reason in report.skipped:
        typer.echo(f"skipped {doc}: {reason}", err=True)
    tuned = tuner.result.summary() if tuner is not None and tuner.result is not None else None
    if json_out:  # stdout is the JSON alone, for scripts; the tuner's line goes to stderr
        typer.echo(json.dumps(dataclasses.asdict(report), ensure_ascii=False, indent=1))
        if tuned:
            typer.echo(tuned, err=True)
        return report
    typer.echo(report.summary())
    if tuned:
        typer.echo(tuned)
    return report
