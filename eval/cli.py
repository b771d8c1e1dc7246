"""`notecite eval`: run the offline evaluation and write report.json, report.md and plots.

A plain function with typer defaults; notecite/cli.py registers it. Errors end in one line on stderr and
exit code 1, never a traceback.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import typer

from core.settings import get_settings
from eval.dataset import DatasetError
from eval.systems import SYSTEMS, parse_systems

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATASET = REPO_ROOT / "eval" / "datasets" / "notes_dev.jsonl"
DEFAULT_OUT = REPO_ROOT / "eval" / "reports" / "latest"


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def eval_command(
    dataset: Path = typer.Option(DEFAULT_DATASET, "--dataset", help="JSONL questions (format: ../shared/DESIGN.md)."),
    notes: Path | None = typer.Option(None, "--notes", help="Notes dir the dataset's docs live in (NOTES_DIR)."),
    out: Path = typer.Option(DEFAULT_OUT, "--out", help="Where report.json, report.md and the plots go."),
    systems: str | None = typer.Option(
        None, "--systems", help=f"Comma-separated subset of: {', '.join(SYSTEMS)} (default: all)."
    ),
    no_answers: bool = typer.Option(False, "--no-answers", help="Retrieval only: skip generating answers."),
    code: Path | None = typer.Option(None, "--code", help="Reference code indexed beside the notes (CODE_DIR)."),
    answer_sample: int = typer.Option(
        0, "--answer-sample", help="Answer only N questions, kinds taking turns (0: all); retrieval uses all."
    ),
    readme: Path | None = typer.Option(None, "--readme", help="Also refresh this README's evaluation section."),
    corpus: str | None = typer.Option(
        None,
        "--corpus",
        help="Retrieval on corpora's dev and test halves instead: 'all' or comma-separated names "
        "(notes, gitlfs, pytutorial); packaged corpora are fetched with apt-get into the cache.",
    ),
) -> None:
    """Compare retrieval (and answer) systems on a question set; write DIR/report.json, report.md, PNGs."""
    settings = get_settings()
    if corpus is not None:
        _corpora(corpus, out, readme)
        return
    notes, code = notes or settings.notes_dir, code or settings.code_dir
    try:
        report, paths = evaluate(dataset, notes, out, systems, no_answers, code, answer_sample, readme)
    except (DatasetError, ValueError, OSError) as exc:
        _log(f"error: {exc}")
        raise typer.Exit(1) from None
    default = report["systems"][report["default_system"]]["retrieval"]
    _log(
        f"{report['default_system']}: recall@5 {default['recall@5']:.3f}, mrr@10 {default['mrr@10']:.3f}; "
        f"wrote {', '.join(str(p) for p in paths)}"
    )


def evaluate(
    dataset: Path,
    notes: Path,
    out: Path,
    systems: str | None = None,
    no_answers: bool = False,
    code: Path | None = None,
    answer_sample: int = 0,
    readme: Path | None = None,
) -> tuple[dict[str, Any], list[Path]]:
    """What `notecite eval` does, as a function tests call; raises instead of exiting."""
    from eval.readme import update_readme
    from eval.report import build_report, write_report
    from eval.runner import run_eval

    names = parse_systems(systems, answers=not no_answers)
    if not notes.is_dir():
        raise ValueError(f"notes dir {notes} does not exist; pass --notes DIR")
    run = run_eval(
        dataset,
        notes,
        names,
        with_answers=not no_answers,
        answer_sample=answer_sample,
        code_dir=code,
        log=_log,
    )
    report = build_report(run, dataset)
    paths = write_report(report, run, out)
    if readme is not None:
        update_readme(readme, report, os.path.relpath(out, readme.resolve().parent))
    return report, paths


def _corpora(names: str, out: Path, readme: Path | None) -> None:
    """`notecite eval --corpus`: every retrieval system on every named corpus; corpora.md/json in `out`."""
    from eval.corpora import CorpusError
    from eval.corpus_eval import CORPUS_NAMES, run_corpus, write_corpora_report
    from eval.readme import update_corpora_section

    out = REPO_ROOT / "eval" / "reports" / "corpora" if out == DEFAULT_OUT else out
    chosen = list(CORPUS_NAMES) if names == "all" else [n.strip() for n in names.split(",") if n.strip()]
    unknown = [n for n in chosen if n not in CORPUS_NAMES]
    if unknown:
        _log(f"error: unknown corpus {', '.join(unknown)}; choose from all, {', '.join(CORPUS_NAMES)}")
        raise typer.Exit(1)
    try:
        runs = [run_corpus(n, log=_log) for n in chosen]
    except (CorpusError, DatasetError, OSError) as exc:
        _log(f"error: {exc}")
        raise typer.Exit(1) from None
    paths = write_corpora_report(runs, out)
    if readme is not None:
        update_corpora_section(readme, runs, os.path.relpath(out, readme.resolve().parent))
    _log(f"wrote {', '.join(str(p) for p in paths)}")


def validate_command(
    dataset: Path = typer.Argument(..., help="JSONL questions to check."),
    notes: Path | None = typer.Option(None, "--notes", help="Notes dir the dataset's docs live in (NOTES_DIR)."),
) -> None:
    """Check a dataset: every quote an exact substring of its doc; errors name the line."""
    from eval.dataset import validate

    notes = notes or get_settings().notes_dir
    try:
        questions = validate(dataset, notes)
    except DatasetError as exc:
        _log(f"error: {exc}")
        raise typer.Exit(1) from None
    print(f"{dataset}: {len(questions)} questions, all quotes found in {notes}")
