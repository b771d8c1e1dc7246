"""LoRA fine-tuning with peft: fp32 on CPU, 4-bit QLoRA (bitsandbytes) when CUDA is present.

A plain loop rather than transformers.Trainer: one example per step on CPU is what fits the 30-minute
budget, and the loop stays readable. Loss is on the answer tokens only.
"""

from __future__ import annotations

import json
import math
import platform
import random
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from models.finetune.data import Example
from models.prompts import END_OF_TURN, render_chatml

ALL_TARGETS = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


@dataclass
class TrainConfig:
    base_model: str = field(default="smollm2-135m-instruct", metadata={"help": "Key in models.registry."})
    r: int = field(default=8, metadata={"help": "LoRA rank."})
    alpha: float = field(default=16.0, metadata={"help": "LoRA alpha; the update is scaled by alpha / r."})
    dropout: float = field(default=0.05, metadata={"help": "LoRA dropout."})
    targets: tuple[str, ...] = field(
        default=("q_proj", "k_proj", "v_proj", "o_proj"), metadata={"help": "Projections that get LoRA."}
    )
    steps: int = field(default=400, metadata={"help": "Optimizer steps (one example each per batch_size)."})
    batch_size: int = field(default=1, metadata={"help": "Examples per step (padded together)."})
    lr: float = field(default=1e-3, metadata={"help": "Peak learning rate (AdamW)."})
    warmup: int = field(default=15, metadata={"help": "Linear warm-up steps before cosine decay."})
    max_len: int = field(default=768, metadata={"help": "Longer examples keep their answer and lose prompt tokens."})
    seed: int = field(default=0, metadata={"help": "Seeds example order, LoRA init and dropout."})
    device: str = field(default="auto", metadata={"help": "'auto', 'cpu' or 'cuda' (cuda trains QLoRA 4-bit)."})
    threads: int | None = field(default=None, metadata={"help": "torch CPU threads; None = all cores."})
    load_in_4bit: bool = field(default=True, metadata={"help": "On CUDA, train QLoRA over a 4-bit base."})

    def __post_init__(self) -> None:
        from models.registry import get_model

        get_model(self.base_model)  # unknown keys fail here, naming the known ones
        self.targets = tuple(self.targets)
        if self.r < 1 or self.alpha <= 0:
            raise ValueError(f"need r >= 1 and alpha > 0, got r={self.r} alpha={self.alpha}")
        if bad := set(self.targets) - set(ALL_TARGETS):
            raise ValueError(f"unknown LoRA targets {sorted(bad)}; choose from {ALL_TARGETS}")
        if self.steps < 1 or self.batch_size < 1 or self.max_len < 64:
            raise ValueError("steps and batch_size must be >= 1 and max_len >= 64")
        if not 0 <= self.dropout < 1 or self.lr <= 0:
            raise ValueError(f"bad dropout {self.dropout} or lr {self.lr}")
        if self.device not in {"auto", "cpu", "cuda"}:
            raise ValueError(f"device must be auto, cpu or cuda, got {self.device!r}")


def encode(tokenizer: Any, example: Example, max_len: int) -> tuple[list[int], list[int]]:
    """(input_ids, labels) with labels -100 on the prompt; trims the prompt's start if too long."""
    prompt = tokenizer(render_chatml(example.messages()), add_special_tokens=False).input_ids
    answer = tokenizer(example.answer + END_OF_TURN, add_special_tokens=False).input_ids
    prompt = prompt[-(max_len - len(answer)) :] if len(prompt) + len(answer) > max_len else prompt
    return prompt + answer, [-100] * len(prompt) + answer


def lr_at(step: int, cfg: TrainConfig) -> float:
    if step < cfg.warmup:
        return cfg.lr * (step + 1) / cfg.warmup
    progress = (step - cfg.warmup) / max(1, cfg.steps - cfg.warmup)
    return cfg.lr * 0.5 * (1 + math.cos(math.pi * progress))


def _device(cfg: TrainConfig) -> str:
    from models.transformers_backend import is_cuda_available

    if cfg.device == "auto":
        return "cuda" if is_cuda_available() else "cpu"
    return cfg.device


def train_lora(train: Sequence[Example], cfg: TrainConfig, out_dir: Path, *, progress: bool = True) -> dict[str, Any]:
    """Train, save the peft adapter (+ its GGUF form) to out_dir, and return the training report."""
    import torch
    from peft import LoraConfig, get_peft_model
    from tqdm import tqdm

    from models.adapters import gguf_adapter
    from models.registry import gguf_path
    from models.transformers_backend import is_bnb_available, load_base, load_tokenizer

    if not train:
        raise ValueError("no training examples")
    device = _device(cfg)
    qlora = device == "cuda" and cfg.load_in_4bit and is_bnb_available()
    random.seed(cfg.seed)
    torch.manual_seed(cfg.seed)
    if cfg.threads:
        torch.set_num_threads(cfg.threads)

    t_load = time.perf_counter()
    tokenizer = load_tokenizer(cfg.base_model)
    model = load_base(cfg.base_model, load_in_4bit=qlora)
    if qlora:
        from peft import prepare_model_for_kbit_training

        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    else:
        model = model.to(device)
    lora = LoraConfig(
        r=cfg.r,
        lora_alpha=cfg.alpha,
        lora_dropout=cfg.dropout,
        target_modules=list(cfg.targets),
        bias="none",
        task_type="CAUSAL_LM",
    )
    model = get_peft_model(model, lora)
    load_s = time.perf_counter() - t_load

    encoded = [encode(tokenizer, ex, cfg.max_len) for ex in train]
    order: list[int] = []
    rng = random.Random(cfg.seed)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=cfg.lr, weight_decay=0.0)
    pad = tokenizer.pad_token_id if tokenizer.pad_token_id is not None else tokenizer.eos_token_id
    losses: list[float] = []
    model.train()
    t0 = time.perf_counter()
    bar = tqdm(range(cfg.steps), desc=f"lora {cfg.base_model}", disable=not progress, unit="step")
    for step in bar:
        batch = []
        for _ in range(cfg.batch_size):
            if not order:
                order = list(range(len(encoded)))
                rng.shuffle(order)
            batch.append(encoded[order.pop()])
        width = max(len(ids) for ids, _ in batch)
        ids = torch.tensor([i + [pad] * (width - len(i)) for i, _ in batch], device=device)
        labels = torch.tensor([lab + [-100] * (width - len(lab)) for _, lab in batch], device=device)
        mask = torch.tensor([[1] * len(i) + [0] * (width - len(i)) for i, _ in batch], device=device)
        for group in optimizer.param_groups:
            group["lr"] = lr_at(step, cfg)
        loss = model(input_ids=ids, attention_mask=mask, labels=labels).loss
        if not torch.isfinite(loss):
            raise FloatingPointError(f"loss became {loss.item()} at step {step}: lower --lr")
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        losses.append(float(loss.detach()))
        bar.set_postfix(loss=f"{sum(losses[-10:]) / len(losses[-10:]):.3f}")
    train_s = time.perf_counter() - t0

    out_dir.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(str(out_dir))
    _tidy_adapter_dir(out_dir, cfg.base_model)
    gguf_adapter(out_dir, gguf_path(cfg.base_model))
    report = {
        "config": asdict(cfg),
        "device": device,
        "qlora_4bit": qlora,
        "host": {"machine": platform.machine(), "torch_threads": torch.get_num_threads()},
        "examples": len(train),
        "mean_tokens": sum(len(i) for i, _ in encoded) / len(encoded),
        "load_s": round(load_s, 1),
        "train_s": round(train_s, 1),
        "s_per_step": round(train_s / cfg.steps, 3),
        "loss_first10": sum(losses[:10]) / len(losses[:10]),
        "loss_last10": sum(losses[-10:]) / len(losses[-10:]),
        "losses": [round(x, 4) for x in losses],
    }
    (out_dir / "train_report.json").write_text(json.dumps(report, indent=2) + "\n")
    plot_losses(losses, out_dir / "loss.png", title=f"LoRA r={cfg.r} on {cfg.base_model} ({device})")
    return report


def _tidy_adapter_dir(out_dir: Path, base_model: str) -> None:
    """peft records the local package path as the base and writes a blank model card; keep neither."""
    config_path = out_dir / "adapter_config.json"
    config = json.loads(config_path.read_text())
    config["base_model_name_or_path"] = base_model
    config_path.write_text(json.dumps(config, indent=2) + "\n")
    (out_dir / "README.md").unlink(missing_ok=True)


def plot_losses(losses: Sequence[float], path: Path, *, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    window = max(1, len(losses) // 30)
    smooth = [
        sum(losses[max(0, i - window + 1) : i + 1]) / len(losses[max(0, i - window + 1) : i + 1])
        for i in range(len(losses))
    ]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    ax.plot(losses, alpha=0.3, label="per step")
    ax.plot(smooth, label=f"mean of {window}")
    ax.set(xlabel="step", ylabel="answer-token loss", title=title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)
