"""A few real LoRA steps on two examples: finite loss, adapter and its GGUF form written."""

from __future__ import annotations

import json
import math

import pytest

from models.finetune.data import Example
from models.finetune.train import TrainConfig, encode, train_lora
from models.prompts import REFUSAL, PromptSource

EXAMPLES = [
    Example(
        "t0",
        "What does Adam combine?",
        [PromptSource(n=1, text="Adam combines momentum with RMSProp.")],
        "Adam combines momentum with RMSProp [1].",
        "answerable",
        "flashcard",
        1,
    ),
    Example(
        "t1",
        "What is the capital of Peru?",
        [PromptSource(n=1, text="Dropout switches off random units.")],
        REFUSAL,
        "unanswerable",
        "off-topic",
        None,
    ),
]


def test_config_rejects_bad_values():
    with pytest.raises(ValueError, match="unknown LoRA targets"):
        TrainConfig(targets=("qkv",))
    with pytest.raises(ValueError):
        TrainConfig(r=0)


@pytest.mark.slow
def test_labels_cover_only_the_answer_and_few_steps_train(tmp_path):
    from safetensors.numpy import load_file

    from models.transformers_backend import load_tokenizer

    tokenizer = load_tokenizer("smollm2-135m-instruct")
    ids, labels = encode(tokenizer, EXAMPLES[0], max_len=512)
    answer = [t for t in labels if t != -100]
    assert tokenizer.decode(answer) == EXAMPLES[0].answer + "<|im_end|>"
    assert labels[: len(ids) - len(answer)] == [-100] * (len(ids) - len(answer))

    report = train_lora(EXAMPLES, TrainConfig(steps=3, warmup=1, max_len=192, device="cpu"), tmp_path, progress=False)
    assert all(math.isfinite(x) for x in report["losses"]) and len(report["losses"]) == 3
    for name in ("adapter_model.safetensors", "adapter_config.json", "adapter.gguf", "loss.png"):
        assert (tmp_path / name).stat().st_size > 0
    assert json.loads((tmp_path / "train_report.json").read_text())["config"]["steps"] == 3
    weights = load_file(str(tmp_path / "adapter_model.safetensors"))
    b = [v for k, v in weights.items() if "lora_B" in k]
    assert b and any(abs(v).max() > 0 for v in b)  # peft starts B at zero; the steps moved it
