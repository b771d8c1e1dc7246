"""Time to first token and decode speed per backend: same prompts, same process, medians over runs.

Every run asks a different question over different sources, so only the fixed system prompt can come
from a cache; a repeated prompt would be served almost entirely from llama.cpp's KV cache and flatter it.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import Any

from models.prompts import PromptSource, build_messages


def bench_prompts(
    notes_dir: Path,
    n: int,
    count_tokens: Callable[[list[dict]], int],
    *,
    target_tokens: int = 600,
    n_sources: int = 5,
) -> list[list[dict]]:
    """n different prompts of at most target_tokens tokens (within a few), built from windows of the notes.

    Sources are trimmed word by word until the rendered prompt fits, so every backend is timed on the
    prompt length the target is stated for.
    """
    from models.finetune.retrieval import note_windows

    windows = [w for w in note_windows(notes_dir, max_words=200) if len(w.text.split()) > 60]
    if len(windows) < n_sources:
        raise ValueError(f"not enough note text in {notes_dir} for a benchmark prompt")
    prompts = []
    for i in range(n):
        picked = [windows[(i * n_sources + j) % len(windows)] for j in range(n_sources)]
        sources = [PromptSource(n=j + 1, text=w.text, breadcrumbs=w.breadcrumbs) for j, w in enumerate(picked)]
        # a question the first source answers, so the model writes an answer rather than refusing
        question = f"What do the notes say about {' '.join(picked[0].text.split()[:6])}?"
        for words in range(200, 0, -1):
            messages = build_messages(question, sources, max_source_words=words)
            if count_tokens(messages) <= target_tokens:
                break
        else:
            raise ValueError(f"no prompt from {notes_dir} fits in {target_tokens} tokens")
        prompts.append(messages)
    return prompts


def time_stream(generator: Any, messages: Sequence[dict], max_tokens: int) -> tuple[float, int, float]:
    """(seconds to first piece, pieces, seconds from first to last piece); one piece per token."""
    t0 = time.perf_counter()
    first, n = None, 0
    for _ in generator.stream(messages, max_tokens=max_tokens):
        n += 1
        if first is None:
            first = time.perf_counter()
    end = time.perf_counter()
    first = first if first is not None else end
    return first - t0, n, end - first


def llamacpp_variants(base_model: str, adapter_dir: Path | None, threads: int, name: str) -> Iterator[Any]:
    """The llama.cpp settings the defaults were chosen from, loaded one at a time (each holds its own model).

    Each is named `name (what differs from the default)`.
    """
    from models.generator import Generator
    from models.llamacpp_backend import LlamaCppBackend, LlamaCppConfig

    variants = {
        "4-bit prefill": (LlamaCppConfig(f16_prefill=False), threads),
        "n_ubatch 128": (LlamaCppConfig(n_ubatch=128), threads),
        "flash_attn off": (LlamaCppConfig(flash_attn=False), threads),
        "1 thread": (LlamaCppConfig(), 1),
        "decode on 1 thread": (LlamaCppConfig(decode_threads=1), threads),
        f"decode on {threads} threads": (LlamaCppConfig(decode_threads=threads), threads),
    }
    for label, (config, n_threads) in variants.items():
        backend = LlamaCppBackend(base_model, adapter_dir, threads=n_threads, config=config)
        yield Generator(backend, f"{name} ({label})")


def bench_generators(
    generators: Iterable[Any], prompts: Sequence[Sequence[dict]], *, max_tokens: int = 64
) -> list[dict[str, Any]]:
    """The first prompt warms each backend up; the rest are timed."""
    rows = []
    for gen in generators:
        time_stream(gen, prompts[0], 8)
        runs = [time_stream(gen, p, max_tokens) for p in prompts[1:]]
        rows.append(
            {
                "backend": gen.name,
                "tokens_per_s": round(statistics.median((n - 1) / d for _, n, d in runs if n > 1 and d > 0), 1),
                "first_token_ms": round(statistics.median(f for f, _, _ in runs) * 1000),
                "prompt_tokens": statistics.median(gen.count_tokens(p) for p in prompts[1:]),
                "runs": len(runs),
                "tokens_per_run": statistics.median(n for _, n, _ in runs),
                # llama.cpp: the threads that decoded (measured at load unless set)
                "decode_threads": getattr(gen.backend, "decode_threads", None),
            }
        )
    return rows
