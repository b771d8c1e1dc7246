"""Command functions of the models package; the lead registers them on the `notecite` typer app.

Each parses options and calls library functions that the tests call directly. Errors become one
line on stderr and exit code 1.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from contextlib import contextmanager
from pathlib import Path

import typer

from core.settings import get_settings
from models.errors import ModelError

REPO_ROOT = Path(__file__).resolve().parent.parent
REPORTS_DIR = Path(__file__).resolve().parent / "reports"


@contextmanager
def _one_line_errors():
    try:
        yield
    except (ModelError, ValueError, FileNotFoundError) as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(1) from None


def finetune(
    base_model: str = typer.Option("smollm2-135m-instruct", help="Base model key in models.registry."),
    steps: int = typer.Option(400, help="Optimizer steps; 400 take ~21 minutes on 2 dedicated cores (3.1 s/step)."),
    r: int = typer.Option(8, help="LoRA rank."),
    alpha: float = typer.Option(16.0, help="LoRA alpha."),
    lr: float = typer.Option(1e-3, help="Peak learning rate."),
    seed: int = typer.Option(0, help="Seed for data, split, init and order."),
    device: str = typer.Option("auto", help="auto | cpu | cuda (cuda trains 4-bit QLoRA with bitsandbytes)."),
    threads: int | None = typer.Option(None, help="torch CPU threads (default: all cores)."),
    notes_dir: Path | None = typer.Option(
        None, help="Notes the examples are built from (ingested into a temporary index; default: settings)."
    ),
    refusal_share: float = typer.Option(
        0.3, help="Near-topic refusal examples per answerable example (the data builder's refusal_share)."
    ),
    promote: bool = typer.Option(False, "--promote", help="Make the new adapter the default one."),
    data_only: bool = typer.Option(False, "--data-only", help="Only build artifacts/finetune/*.jsonl."),
    eval_only: bool = typer.Option(False, "--eval-only", help="Only regenerate models/reports/finetune_eval.*"),
    adapters: str = typer.Option(
        "default",
        help="--eval-only: comma-separated adapters scored beside the base; the first is the tuned one, "
        "whose held-out split is used.",
    ),
    reuse_data: bool = typer.Option(False, "--reuse-data", help="Train on the existing artifacts/finetune data."),
) -> None:
    """Fine-tune a LoRA adapter on examples built from the notes (or only evaluate it)."""
    from models.finetune.data import DataConfig
    from models.finetune.pipeline import DATA_DIR, prepare_data, run_finetune
    from models.finetune.train import TrainConfig

    with _one_line_errors():
        notes_dir = notes_dir or get_settings().notes_dir
        if eval_only:
            names = [a.strip() for a in adapters.split(",") if a.strip()] or ["default"]
            finetune_eval(base_model=base_model, adapters=names, notes_dir=notes_dir)
            return
        train_cfg = TrainConfig(
            base_model=base_model, r=r, alpha=alpha, lr=lr, steps=steps, seed=seed, device=device, threads=threads
        )
        if not (reuse_data and (DATA_DIR / "train.jsonl").is_file()):
            info = prepare_data(notes_dir, DataConfig(seed=seed, refusal_share=refusal_share))
            typer.echo(f"examples: {json.dumps(info['stats'])} ({info['ingest']})")
        if data_only:
            return
        out_dir, report = run_finetune(train_cfg, make_default=promote)
        typer.echo(
            f"adapter: {out_dir} ({report['s_per_step']} s/step, loss {report['loss_first10']:.3f} -> "
            f"{report['loss_last10']:.3f}){' [default]' if promote else ''}"
        )


def finetune_eval(
    base_model: str = "smollm2-135m-instruct",
    adapters: Sequence[str] = ("default",),
    notes_dir: Path | None = None,
    max_tokens: int = 96,
) -> dict:
    """Base vs tuned adapters on the held-out split of the data the first adapter was trained on; writes
    the report. Other adapters are scored on the same split (it may hold questions they trained on)."""
    from models.adapters import resolve_adapter
    from models.finetune.data import DataConfig, read_jsonl
    from models.finetune.evaluate import compare, write_report
    from models.finetune.pipeline import DATA_DIR, file_sha256, prepare_data
    from models.generator import load_generator

    notes_dir = notes_dir or get_settings().notes_dir
    adapter_dirs = [resolve_adapter(name, base_model) for name in adapters]
    trained = json.loads((adapter_dirs[0] / "train_report.json").read_text())
    data = trained.get("data", {})
    heldout_path = DATA_DIR / "heldout.jsonl"
    if not heldout_path.is_file() or file_sha256(heldout_path) != data.get("heldout_sha256"):
        # rebuild the split the adapter was trained with (same config and seed, a fresh ingest of the notes)
        prepare_data(notes_dir, DataConfig.from_dict(data.get("data_config", {})))
    heldout = read_jsonl(heldout_path)
    same_split = file_sha256(heldout_path) == data.get("heldout_sha256")
    generators = {"base": load_generator("llamacpp", base_model, None)}
    for i, adapter_dir in enumerate(adapter_dirs):
        generators["tuned" if i == 0 else adapter_dir.name] = load_generator("llamacpp", base_model, str(adapter_dir))
    report = compare(heldout, generators, max_tokens=max_tokens)
    report["adapter"] = adapter_dirs[0].name
    report["heldout_matches_training_split"] = same_split
    report["training"] = {
        k: trained.get(k)
        for k in ("device", "qlora_4bit", "s_per_step", "train_s", "examples", "loss_first10", "loss_last10", "host")
    }
    report["training"]["steps"] = trained.get("config", {}).get("steps")
    write_report(report, REPORTS_DIR / "finetune_eval.json", REPORTS_DIR / "finetune_eval.md")
    typer.echo((REPORTS_DIR / "finetune_eval.md").read_text())
    return report


def bench_generate(
    json_out: bool = typer.Option(False, "--json", help="Print the JSON list only."),
    backends: str = typer.Option("transformers,llamacpp", help="Comma-separated backends to time."),
    runs: int = typer.Option(3, help="Timed runs per backend (median reported)."),
    max_tokens: int = typer.Option(64, help="Tokens generated per run."),
    threads: int | None = typer.Option(None, help="CPU threads (default: all cores)."),
    adapter: str | None = typer.Option("default", help="Adapter name, or 'none' for the bare base."),
    notes_dir: Path | None = typer.Option(None, help="Notes the prompts are built from."),
    prompt_tokens: int = typer.Option(600, help="Prompt length in tokens (the target is stated for 600)."),
    base_model: str = typer.Option("smollm2-135m-instruct", help="Base model key in models.registry."),
    sweep: bool = typer.Option(False, "--sweep", help="Also time llama.cpp prefill, micro-batch and thread variants."),
    out: Path | None = typer.Option(None, help="Also write the rows and the targets to this JSON file."),
) -> None:
    """Time to first token and decode tokens/s per backend on the same prompts of `prompt_tokens` tokens."""
    import os
    import platform

    from models.adapters import resolve_adapter
    from models.bench import bench_generators, bench_prompts, llamacpp_variants
    from models.generator import load_generator

    notes_dir = notes_dir or get_settings().notes_dir
    with _one_line_errors():
        adapter = None if adapter in (None, "none") else adapter
        names = [b.strip() for b in backends.split(",") if b.strip()]
        gens = [load_generator(b, base_model, adapter=adapter, threads=threads) for b in names]
        # sized with the first backend's tokenizer: both load the same GGUF vocabulary
        prompts = bench_prompts(notes_dir, runs + 1, gens[0].count_tokens, target_tokens=prompt_tokens)
        rows = bench_generators(gens, prompts, max_tokens=max_tokens)
        if sweep:
            n_threads = threads or os.cpu_count() or 1
            default = load_generator("llamacpp", base_model, adapter=adapter, threads=threads)
            variants = llamacpp_variants(base_model, resolve_adapter(adapter, base_model), n_threads, default.name)
            rows += bench_generators(variants, prompts, max_tokens=max_tokens)
        if out is not None:
            report = {
                "machine": {"cpu": platform.processor() or platform.machine(), "cores": os.cpu_count()},
                "settings": {"runs": runs, "max_tokens": max_tokens, "prompt_tokens": prompt_tokens},
                "targets": {"tokens_per_s": 80, "first_token_ms": 1000, "prompt_tokens": 600},
                "results": rows,
            }
            out.write_text(json.dumps(report, indent=2) + "\n")
        if json_out:
            typer.echo(json.dumps(rows))
        else:
            for row in rows:
                typer.echo(
                    f"{row['backend']}: {row['tokens_per_s']} tok/s, first token {row['first_token_ms']} ms "
                    f"({row['prompt_tokens']:.0f}-token prompt)"
                )
