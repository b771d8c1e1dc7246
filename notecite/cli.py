"""The `notecite` command: one typer app over the command functions each package defines.

This is the only module that imports every package; none imports it, so the packages' imports run down.
"""

from __future__ import annotations

import os

import click
import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from typer.core import TyperGroup

from eval.bench_cli import bench_ingest, bench_load, bench_retrieval
from eval.cli import eval_command, validate_command
from models.cli import bench_generate, finetune
from notecite.ingest_command import ingest
from service.cli import ask, search, serve
from service.mcp_server import mcp_command
from service.study.cli import quiz


def settings_problem(exc: ValidationError) -> str:
    """A setting out of its bounds (an option or a NOTECITE_ variable) in one line: which, why, what was given."""
    return "; ".join(
        f"invalid setting {'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']} (got {e.get('input')!r})"
        for e in exc.errors()
    )


class OneLineErrors(TyperGroup):
    """Every command's settings are validated when it runs: a bad value is one line on stderr and exit code 2,
    never a traceback."""

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except ValidationError as exc:
            typer.echo(f"error: {settings_problem(exc)}", err=True)
            raise typer.Exit(2) from None
        except SettingsError as exc:  # a NOTECITE_ variable that does not parse (a JSON list that is not JSON)
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None


app = typer.Typer(
    cls=OneLineErrors, help="Ask questions of your notes; answers cite the exact passages.", no_args_is_help=True
)
bench_app = typer.Typer(help="Benchmarks that write JSON reports.", no_args_is_help=True)


@app.callback()
def offline() -> None:
    """Models come from installed packages: never let a library reach for a model hub."""
    for name, value in (
        ("HF_HUB_OFFLINE", "1"),
        ("TRANSFORMERS_OFFLINE", "1"),
        ("HF_HUB_DISABLE_PROGRESS_BARS", "1"),
        ("TRANSFORMERS_VERBOSITY", "error"),
    ):
        os.environ.setdefault(name, value)


app.add_typer(bench_app, name="bench")
app.command("ingest", help="Index a folder of notes (incremental).")(ingest)
app.command("serve")(serve)
app.command("ask")(ask)
app.command("search")(search)
app.command("quiz")(quiz)
app.command("mcp")(mcp_command)
app.command("eval", help="Offline evaluation: report.json, report.md and plots.")(eval_command)
app.command("validate-dataset", help="Check an eval dataset's quotes against the notes.")(validate_command)
app.command("finetune", help="LoRA fine-tune the answer model on the notes (or --eval-only).")(finetune)
bench_app.command("retrieval")(bench_retrieval)  # the notes benchmark; --sizes: engines at 10k-1M
bench_app.command("ingest")(bench_ingest)
bench_app.command("load")(bench_load)
bench_app.command("generate", help="Tokens/s and first-token latency per LLM backend.")(bench_generate)

if __name__ == "__main__":
    app()
