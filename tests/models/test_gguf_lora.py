"""The GGUF LoRA converter: rotary permutation, llama.cpp metadata, and next-token agreement."""

from __future__ import annotations

import numpy as np
import pytest

from models.adapters import resolve_adapter
from models.gguf_lora import convert_lora, rotary_permute
from models.registry import gguf_path

BASE = "smollm2-135m-instruct"


def test_rotary_permute_interleaves_the_two_halves_of_each_head():
    n_head, head_dim, cols = 3, 8, 2
    rows = np.arange(n_head * head_dim * cols, dtype=np.float32).reshape(n_head * head_dim, cols)
    out = rotary_permute(rows, n_head)
    for h in range(n_head):
        for i in range(head_dim // 2):
            np.testing.assert_array_equal(out[h * head_dim + 2 * i], rows[h * head_dim + i])
            np.testing.assert_array_equal(out[h * head_dim + 2 * i + 1], rows[h * head_dim + head_dim // 2 + i])


def test_rotary_permute_rejects_rows_that_do_not_split_into_heads():
    with pytest.raises(ValueError):
        rotary_permute(np.zeros((10, 2)), 3)


def test_converted_adapter_has_the_metadata_llama_cpp_needs(tmp_path):
    from gguf import GGUFReader

    adapter = resolve_adapter("default", BASE)
    out = convert_lora(adapter, gguf_path(BASE), tmp_path / "a.gguf")
    reader = GGUFReader(str(out))
    field = lambda name: reader.get_field(name).contents()  # noqa: E731
    assert field("general.architecture") == "llama"
    assert field("general.type") == "adapter" and field("adapter.type") == "lora"
    assert field("adapter.lora.alpha") == 16.0
    names = {t.name: t for t in reader.tensors}
    assert len(names) == 30 * 4 * 2  # 30 blocks x q, k, v, o x A, B
    # GGUF lists dims innermost first: A is (r, in) = (8, 576), B of k is (out, r) = (192, 8)
    assert list(names["blk.0.attn_q.weight.lora_a"].shape) == [576, 8]
    assert list(names["blk.0.attn_k.weight.lora_b"].shape) == [8, 192]


def _prompts(notes_dir, tokenize, n=20):
    """Real questions over real note passages, some with the answer already begun."""
    from models.finetune.retrieval import note_windows
    from models.finetune.seeds import seeds_from_notes
    from models.prompts import PromptSource, build_messages, render_chatml

    seeds = seeds_from_notes(notes_dir)
    seeds = seeds[:: max(1, len(seeds) // n)][:n]
    windows = note_windows(notes_dir, max_words=30)
    prompts = []
    for i, seed in enumerate(seeds):
        # short sources keep ~150-token prompts: 20 prompts x 5 forward passes stay cheap on 2 cores
        sources = [
            PromptSource(n=1, text=windows[(7 * i) % len(windows)].text),
            PromptSource(n=2, text=seed.passage.text, breadcrumbs=seed.passage.breadcrumbs),
        ]
        text = render_chatml(build_messages(seed.question, sources, max_source_words=30))
        text += " ".join(seed.answer.split()[: i % 4 * 3])  # 0, 3, 6 or 9 words of the answer
        prompts.append(tokenize(text))
    return prompts


@pytest.mark.slow
def test_llama_cpp_with_converted_adapter_agrees_with_peft(notes_dir, tmp_path):
    import torch
    from llama_cpp import Llama
    from peft import PeftModel

    from models.transformers_backend import load_base

    adapter = resolve_adapter("default", BASE)
    base_file = gguf_path(BASE)
    unpermuted = convert_lora(adapter, base_file, tmp_path / "unpermuted.gguf", permute=False)

    def llama(lora):
        # logits_all: without it llama-cpp-python keeps no logits for eval() to read back
        return Llama(
            model_path=str(base_file),
            lora_path=str(lora) if lora else None,
            n_ctx=512,
            logits_all=True,
            n_threads=2,
            seed=0,
            verbose=False,
        )

    llamas = {"base": llama(None), "lora": llama(adapter / "adapter.gguf"), "unpermuted": llama(unpermuted)}
    prompts = _prompts(notes_dir, lambda t: llamas["base"].tokenize(t.encode(), add_bos=True, special=True))
    assert len(prompts) >= 20 and max(map(len, prompts)) < 512

    def llama_next(model, tokens):
        model.reset()
        model.eval(tokens)
        return int(np.argmax(model.scores[model.n_tokens - 1]))

    hf = PeftModel.from_pretrained(load_base(BASE), str(adapter)).eval()

    def hf_next(tokens, with_adapter):
        with torch.inference_mode():
            ids = torch.tensor([tokens])
            if with_adapter:
                return int(hf(input_ids=ids).logits[0, -1].argmax())
            with hf.disable_adapter():
                return int(hf(input_ids=ids).logits[0, -1].argmax())

    agree = {"base": 0, "lora": 0, "unpermuted": 0}
    for tokens in prompts:
        hf_base, hf_lora = hf_next(tokens, False), hf_next(tokens, True)
        agree["base"] += llama_next(llamas["base"], tokens) == hf_base
        agree["lora"] += llama_next(llamas["lora"], tokens) == hf_lora
        agree["unpermuted"] += llama_next(llamas["unpermuted"], tokens) == hf_lora
    assert agree["lora"] >= agree["base"], agree
    assert agree["unpermuted"] < agree["lora"], agree  # the permutation is what makes them agree
