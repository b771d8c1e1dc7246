"""The `notecite` command: one typer app over the command functions each package defines.

This is the only module that imports every package; none imports it, so the packages' imports run down.
"""

from __future__ import annotations

import os

import typer

from eval.bench_cli import bench_ingest, bench_load, bench_retrieval
from eval.cli import eval_command, validate_command
from models.cli import bench_generate, finetune
from notecite.ingest_command import ingest
from service.cli import ask, search, serve
from service.mcp_server import mcp_command
from service.study.cli import quiz

app = typer.Typer(help="Ask questions of your notes; answers cite the exact passages.", no_args_is_help=True)
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
