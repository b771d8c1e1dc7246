"""`notecite ingest`: argument parsing and messages only; the work is in pipeline/store.

The lead registers these functions in the single typer app (service/cli.py). Errors are one line on
stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import typer

from ingest.errors import IngestError
from ingest.pipeline import DEFAULT_CODE_DIR, DEFAULT_INDEX_DIR, CorpusRoot, IngestReport, ingest_corpus


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
        ...,
        envvar="NOTECITE_NOTES_DIR",
        help="Folder of notes (.txt .md .html .pdf .py), walked recursively.",
    ),
    index: Path = typer.Option(
        DEFAULT_INDEX_DIR, "--index", envvar="NOTECITE_INDEX_DIR", help="Index directory (generations live here)."
    ),
    uploads: Path | None = typer.Option(
        None,
        "--uploads",
        envvar="NOTECITE_UPLOAD_DIR",
        help="Notes uploaded through the service (default: INDEX/../uploads); kept in the index.",
    ),
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
    # the service indexes its uploads beside the notes: leaving them out here would drop them from the index
    uploads = uploads or index.parent / "uploads"
    roots = [CorpusRoot(notes_dir), CorpusRoot(uploads, prefix="uploads/", optional=True)]
    if code_dir is not None and not no_code:  # the default reference/ may be absent from an installed copy
        roots.append(CorpusRoot(code_dir, prefix="reference/", kind="code", optional=code_dir == DEFAULT_CODE_DIR))
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
