"""The llama.cpp backend's split: prompts on an f16 copy, answers on the 4-bit file, the KV cache moved between."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from core.settings import DEFAULT_CACHE_DIR
from models.adapters import resolve_adapter
from models.bench import bench_prompts
from models.generator import Generator, load_generator
from models.llamacpp_backend import (
    LlamaCppBackend,
    LlamaCppConfig,
    f16_copy,
    last_logits,
    move_kv_cache,
    prefill_model,
)
from models.prompts import render_chatml
from models.registry import gguf_path

BASE = "smollm2-135m-instruct"


def test_f16_copy_holds_the_shipped_weights(tmp_path, monkeypatch):
    from gguf import GGUFReader
    from gguf.quants import dequantize

    base = gguf_path(BASE)
    copy = f16_copy(base, tmp_path)
    assert copy.parent.parent == tmp_path and f16_copy(base, tmp_path) == copy  # made once, then reused
    shipped = {t.name: t for t in GGUFReader(str(base)).tensors}
    converted = {t.name: t for t in GGUFReader(str(copy)).tensors}
    assert shipped.keys() == converted.keys()
    for name in ("blk.0.attn_q.weight", "blk.17.ffn_down.weight", "token_embd.weight"):
        want = dequantize(shipped[name].data, shipped[name].tensor_type)
        got = dequantize(converted[name].data, converted[name].tensor_type)
        assert converted[name].tensor_type.name == "F16"
        np.testing.assert_allclose(got, want, rtol=2e-3, atol=1e-6)


@pytest.mark.slow
def test_merged_adapter_computes_what_the_run_time_adapter_computes(prompts):
    from llama_cpp import Llama

    from models.adapters import gguf_adapter

    base = gguf_path(BASE)
    lora = gguf_adapter(resolve_adapter("default", BASE), base)
    merged = prefill_model(base, lora, 1.0, DEFAULT_CACHE_DIR)
    assert (
        merged != f16_copy(base, DEFAULT_CACHE_DIR) and prefill_model(base, lora, 1.0, DEFAULT_CACHE_DIR) == merged
    )  # cached per adapter
    assert prefill_model(base, None, 1.0, DEFAULT_CACHE_DIR) == f16_copy(base, DEFAULT_CACHE_DIR)

    def open_model(path, lora_path=None):
        return Llama(model_path=str(path), lora_path=lora_path, n_ctx=1024, n_threads=2, seed=0, verbose=False)

    run_time, at_once, bare = (
        open_model(f16_copy(base, DEFAULT_CACHE_DIR), str(lora)),
        open_model(merged),
        open_model(f16_copy(base, DEFAULT_CACHE_DIR)),
    )
    for messages in prompts[:3]:
        tokens = run_time.tokenize(render_chatml(messages).encode(), add_bos=True, special=True)
        logits = []
        for llm in (run_time, at_once, bare):
            llm.reset()
            llm.eval(tokens)
            logits.append(last_logits(llm).copy())
        assert np.argmax(logits[0]) == np.argmax(logits[1])
        # f16 rounding of the merged weights is far smaller than what the adapter changes
        assert np.abs(logits[0] - logits[1]).max() < 0.2 < np.abs(logits[0] - logits[2]).max()
    for llm in (run_time, at_once, bare):
        llm.close()


@pytest.fixture(scope="module")
def prompts(notes_dir):
    gen = load_generator("llamacpp", adapter="default", threads=2)
    return bench_prompts(notes_dir, 5, gen.count_tokens, target_tokens=300)


@pytest.mark.slow
def test_moved_kv_cache_continues_exactly_like_the_context_that_made_it():
    """Same 4-bit model on both sides: after the move, the next step's logits are the source's, bit for bit."""
    config = LlamaCppConfig(f16_prefill=False)
    a = LlamaCppBackend(BASE, None, threads=2, config=config)
    b = LlamaCppBackend(BASE, None, threads=2, config=config)
    b.decoder.eval(b.tokens("something else entirely, to be overwritten"))
    tokens = a.tokens("<|im_start|>user\nWhat is dropout?<|im_end|>\n<|im_start|>assistant\n")
    a.decoder.reset()
    a.decoder.eval(tokens)
    move_kv_cache(a.decoder, b.decoder, tokens)
    assert b.decoder.n_tokens == len(tokens)
    nxt = int(np.argmax(last_logits(a.decoder)))
    a.decoder.eval([nxt])
    b.decoder.eval([nxt])
    np.testing.assert_array_equal(last_logits(b.decoder), last_logits(a.decoder))
    a.close()
    b.close()


@pytest.mark.slow
def test_f16_prefill_answers_like_the_4bit_model_alone(prompts):
    adapter = resolve_adapter("default", BASE)
    split = Generator(LlamaCppBackend(BASE, adapter, threads=2), "split")
    alone = Generator(LlamaCppBackend(BASE, adapter, threads=2, config=LlamaCppConfig(f16_prefill=False)), "4-bit")
    answers = [(split.generate(p, max_tokens=24), alone.generate(p, max_tokens=24)) for p in prompts]
    assert all(a.strip() for a, _ in answers)
    # f16 rounding may flip a late near-tie; the answers must still be the same text almost always
    assert sum(a == b for a, b in answers) >= len(answers) - 1, answers
    split.backend.close()
    alone.backend.close()


@pytest.mark.slow
def test_an_answer_does_not_depend_on_the_question_before_it(prompts):
    gen = load_generator("llamacpp", adapter="default", threads=2)
    first = [gen.generate(p, max_tokens=24) for p in prompts[:3]]
    again = [gen.generate(p, max_tokens=24) for p in reversed(prompts[:3])]
    assert first == again[::-1]
    assert gen.generate(prompts[0], max_tokens=24) == first[0]  # the same prompt twice in a row too


@pytest.mark.slow
def test_decode_threads_are_measured_and_set(prompts):
    """The probe picks 1 or all threads and sets it; the thread count moves llama.cpp's last bits, so a late
    near-tie may flip, but the answers must be the same text almost always."""
    adapter = resolve_adapter("default", BASE)
    one = Generator(LlamaCppBackend(BASE, adapter, threads=2, config=LlamaCppConfig(decode_threads=1)), "1")
    two = Generator(LlamaCppBackend(BASE, adapter, threads=2, config=LlamaCppConfig(decode_threads=2)), "2")
    assert (one.backend.decode_threads, two.backend.decode_threads) == (1, 2)
    assert [one.generate(p, max_tokens=24) for p in prompts[:3]] == [
        two.generate(p, max_tokens=24) for p in prompts[:3]
    ]
    seconds = {n: two.backend.decode_seconds(n, steps=4) for n in (1, 2)}
    assert all(0 < s < 1 for s in seconds.values()), seconds
    assert two.backend.fastest_decode_threads() in (1, 2)
    measured = Generator(LlamaCppBackend(BASE, adapter, threads=2), "measured")  # decode_threads 0: measured
    assert measured.backend.decode_threads in (1, 2)
    assert measured.generate(prompts[0], max_tokens=24).strip()
    with pytest.raises(ValueError, match="decode_threads"):
        LlamaCppConfig(decode_threads=-1)
    for gen in (one, two, measured):
        gen.backend.close()


@pytest.mark.slow
def test_bench_prompts_fit_the_target_length(prompts):
    gen = load_generator("llamacpp", adapter="default", threads=2)
    lengths = [gen.count_tokens(p) for p in prompts]
    assert all(270 <= n <= 300 for n in lengths), lengths
    assert len({p[1]["content"] for p in prompts}) == len(prompts)  # different sources every run


@pytest.mark.slow
def test_bench_generate_json_has_the_issue_keys(notes_dir, tmp_path):
    from notecite.cli import app

    out = tmp_path / "bench.json"
    result = CliRunner().invoke(
        app,
        ["bench", "generate", "--json", "--backends", "llamacpp", "--runs", "2", "--max-tokens", "8", "--sweep"]
        + ["--threads", "2", "--prompt-tokens", "300", "--notes-dir", str(notes_dir), "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output.strip().splitlines()[-1])
    assert rows[0]["backend"].startswith("llamacpp:") and "(" not in rows[0]["backend"]
    assert [r["backend"].split("(")[-1] for r in rows[1:]] == [
        "4-bit prefill)",
        "n_ubatch 128)",
        "flash_attn off)",
        "1 thread)",
        "decode on 1 thread)",
        "decode on 2 threads)",
    ]
    for row in rows:
        assert row["runs"] == 2 and row["tokens_per_s"] > 0 and row["first_token_ms"] > 0
        assert 270 <= row["prompt_tokens"] <= 300
    report = json.loads(out.read_text())
    assert report["results"] == rows and report["targets"]["first_token_ms"] == 1000
