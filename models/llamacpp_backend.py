"""llama.cpp backend: the shipped quantized GGUF plus the LoRA adapter converted to GGUF.

Prompts and answers run on different copies of the same weights. Decoding one token at a time is
memory-bound, so it runs on the shipped 4-bit file with the adapter applied at run time. Evaluating a
prompt is compute-bound, and llama.cpp has no fast batched kernel for q4_1 on x86: an f16 copy of the
same weights, with the adapter merged in, evaluates prompts about twice as fast. The prompt's KV cache
then moves to the 4-bit context, which writes the answer. The fixed system prompt stays evaluated
between questions, so each question pays only for its sources and question. Nothing longer is reused:
evaluating the rest of a prompt in a different batch split changes the last bits of the logits, and a
greedy answer would then depend on the question asked before it.

How many threads decode is measured when the backend opens (`decode_threads`): answers are read on another
thread than the one decoding (`models.generator`), and on some 2-core machines llama.cpp's OpenMP workers, spinning
between tokens, then wait for the scheduler at every token: 15 tokens/s on two threads, 33 on one (2026-12-02);
on the machines before it two threads decoded faster (78-89 against 55 tokens/s). Prompts keep every core.
"""

from __future__ import annotations

import codecs
import ctypes
import hashlib
import os
import queue
import shutil
import statistics
import threading
import time
import weakref
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from core.settings import DEFAULT_CACHE_DIR
from models.errors import GenerationError
from models.generator import Finish
from models.prompts import END_OF_TURN, fixed_prefix
from models.registry import gguf_path

LLAMA_FTYPE_MOSTLY_F16 = 1
# what the decode-thread probe asks after the fixed system prompt (its answer is timed, never shown)
PROBE_QUESTION = "Sources:\n[1] Dropout drops units at random while training.\n\nQuestion: What is dropout?"


@dataclass
class LlamaCppConfig:
    cache_dir: Path = field(default=DEFAULT_CACHE_DIR, metadata={"help": "Where the f16 prompt copies are made once."})
    n_ctx: int = field(default=2048, metadata={"help": "Context window in tokens (prompt + answer)."})
    n_batch: int = field(default=512, metadata={"help": "Prompt tokens evaluated per llama_decode call."})
    n_ubatch: int = field(default=512, metadata={"help": "Physical micro-batch; equal to n_batch is fastest here."})
    lora_scale: float = field(default=1.0, metadata={"help": "Multiplier on the adapter's alpha/r scaling."})
    flash_attn: bool = field(
        default=True, metadata={"help": "llama.cpp flash attention: ~25% faster prompts here, ~4% slower decode."}
    )
    decode_threads: int = field(
        default=0,
        metadata={"help": "Threads that decode the answer, one token at a time; 0: the faster of 1 and all, measured."},
    )
    f16_prefill: bool = field(
        default=True,
        metadata={
            "help": "Evaluate prompts on an f16 copy of the shipped weights with the adapter merged in (2x faster "
            "here), then decode on the 4-bit file. False evaluates prompts on the 4-bit file too (less memory)."
        },
    )

    def __post_init__(self) -> None:
        if self.decode_threads < 0:
            raise ValueError(f"decode_threads must be 0 (measure) or more, got {self.decode_threads}")
        if self.n_ctx < 256 or self.n_batch < 1 or not 1 <= self.n_ubatch <= self.n_batch:
            raise ValueError(f"bad llama.cpp sizes: n_ctx={self.n_ctx} n_batch={self.n_batch} n_ubatch={self.n_ubatch}")


def made_once(out: Path, make: Callable[[Path], None]) -> Path:
    """`out`, written by make(tmp) and renamed into place unless it exists: a killed or failed make leaves
    nothing behind, and two processes making it at once each rename their own complete file."""
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_suffix(f".{os.getpid()}.tmp")
        try:
            make(tmp)
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        tmp.replace(out)
    return out


def f16_copy(base: Path, cache_dir: Path) -> Path:
    """The shipped GGUF converted to f16 once into the cache; 4-bit values are exact in f16 up to rounding."""
    import llama_cpp

    def convert(tmp: Path) -> None:
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = LLAMA_FTYPE_MOSTLY_F16
        params.allow_requantize = True
        if llama_cpp.llama_model_quantize(str(base).encode(), str(tmp).encode(), params) != 0:
            raise GenerationError(f"llama.cpp could not convert {base} to f16")

    return made_once(cache_dir / "gguf" / f"{base.stem}-{base.stat().st_size}.f16.gguf", convert)


def prefill_model(base: Path, lora: Path | None, lora_scale: float, cache_dir: Path) -> Path:
    """The f16 copy with the adapter merged in (made once per adapter into the cache): no LoRA matmuls."""
    from models.gguf_lora import merge_lora
    from models.registry import sha256_file

    f16 = f16_copy(base, cache_dir)
    if lora is None:
        return f16

    def merge(tmp: Path) -> None:
        shutil.copyfile(f16, tmp)
        merge_lora(tmp, lora, lora_scale)

    key = hashlib.sha256(f"{sha256_file(lora)}:{lora_scale}".encode()).hexdigest()[:16]
    return made_once(f16.with_name(f"{f16.stem}.lora-{key}.gguf"), merge)


def close_models(*models) -> None:
    for llm in {id(m): m for m in models}.values():
        llm.close()


def last_logits(llm) -> np.ndarray:
    """Logits of the last token the context evaluated (a view into llama.cpp's buffer)."""
    import llama_cpp

    return np.ctypeslib.as_array(llama_cpp.llama_get_logits_ith(llm.ctx, -1), shape=(llm.n_vocab(),))


def move_kv_cache(src, dst, tokens: Sequence[int]) -> None:
    """Replace dst's KV cache with src's (same architecture, context size and cache types)."""
    import llama_cpp

    size = llama_cpp.llama_state_seq_get_size(src.ctx, 0)
    buf = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(src.ctx, buf, size, 0)
    llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(dst.ctx), 0, 0, -1)
    if written == 0 or llama_cpp.llama_state_seq_set_data(dst.ctx, buf, written, 0) != written:
        dst.reset()
        raise GenerationError("llama.cpp could not move the prompt's KV cache to the decoding model")
    dst.n_tokens = len(tokens)
    dst.input_ids[: len(tokens)] = tokens


class LlamaCppBackend:
    def __init__(
        self,
        base_model: str,
        adapter_dir: Path | None,
        *,
        threads: int | None = None,
        config: LlamaCppConfig | None = None,
    ) -> None:
        from models.adapters import gguf_adapter

        self.config = config or LlamaCppConfig()
        base = gguf_path(base_model)
        lora = gguf_adapter(adapter_dir, base) if adapter_dir is not None else None
        threads = threads or os.cpu_count() or 1
        self.decoder = self._open(base, lora, threads)
        if self.config.f16_prefill:
            self.prefiller = self._open(
                prefill_model(base, lora, self.config.lora_scale, self.config.cache_dir), None, threads
            )
        else:
            self.prefiller = self.decoder
        # llama-cpp-python's own finalizer fails at interpreter exit (its module is torn down first)
        self._finalizer = weakref.finalize(self, close_models, self.decoder, self.prefiller)
        end = self.decoder.tokenize(END_OF_TURN.encode(), add_bos=False, special=True)
        self.end_tokens = {self.decoder.token_eos(), *(end if len(end) == 1 else [])}
        self.warm_prefix()
        self.threads = threads
        self.decode_threads = self.set_decode_threads(self.config.decode_threads or self.fastest_decode_threads())

    def set_decode_threads(self, n: int) -> int:
        """Decode one token at a time on `n` threads (at most all of them); prompts keep every thread."""
        import llama_cpp

        n = min(n, self.threads)
        llama_cpp.llama_set_n_threads(self.decoder.ctx, n, self.threads)
        return n

    def fastest_decode_threads(self) -> int:
        """1 or all threads, whichever decodes faster here, timed as answers are written (`decode_seconds`)."""
        if self.threads == 1:
            return 1
        seconds = {n: self.decode_seconds(n) for n in (1, self.threads)}
        return min(seconds, key=seconds.__getitem__)

    def decode_seconds(self, threads: int, steps: int = 12) -> float:
        """Median seconds per answer token on `threads` (left set): a prompt evaluated and its answer decoded on a
        worker thread that hands each token to this one, as `models.generator` runs a question (what makes OpenMP's
        spinning workers wait only shows that way). End tokens do not stop it."""
        threads = self.set_decode_threads(threads)
        ticks: queue.SimpleQueue[float | BaseException] = queue.SimpleQueue()

        def decode() -> None:
            try:
                token = self._prefill(self.tokens(fixed_prefix() + PROBE_QUESTION))
                for _ in range(steps + 1):
                    self.decoder.eval([token])
                    token = int(np.argmax(last_logits(self.decoder)))
                    ticks.put(time.perf_counter())
            except BaseException as exc:  # handed over, so this thread does not wait for ticks that never come
                ticks.put(exc)

        worker = threading.Thread(target=decode, name=f"decode probe {threads}", daemon=True)
        worker.start()
        times = []
        for _ in range(steps + 1):
            if isinstance(tick := ticks.get(), BaseException):
                raise GenerationError(f"llama.cpp failed while timing {threads} decode threads: {tick}") from tick
            times.append(tick)
        worker.join()
        return float(statistics.median(np.diff(times)))

    def close(self) -> None:
        """Free both models now (idempotent); otherwise when this backend is collected or at exit."""
        self._finalizer()

    def _open(self, model_path: Path, lora: Path | None, threads: int):
        from llama_cpp import Llama

        return Llama(
            model_path=str(model_path),
            lora_path=str(lora) if lora else None,
            lora_scale=self.config.lora_scale,
            n_threads=threads,
            n_threads_batch=threads,
            n_ctx=self.config.n_ctx,
            n_batch=self.config.n_batch,
            n_ubatch=self.config.n_ubatch,
            flash_attn=self.config.flash_attn,
            seed=0,
            verbose=False,
        )

    def warm_prefix(self) -> None:
        """Evaluate the fixed system prompt once; every question then reuses its KV cache."""
        self.prefix_tokens = self.tokens(fixed_prefix())
        self.prefiller.reset()
        self.prefiller.eval(self.prefix_tokens)

    def _reusable(self, tokens: list[int]) -> int:
        """Length of the fixed system prompt when the prefiller holds it and this prompt starts with it, else 0."""
        n = len(self.prefix_tokens)
        holds = self.prefiller.n_tokens >= n and self.prefiller.input_ids[:n].tolist() == self.prefix_tokens
        return n if holds and len(tokens) > n and tokens[:n] == self.prefix_tokens else 0

    def tokens(self, text: str) -> list[int]:
        return self.decoder.tokenize(text.encode(), add_bos=True, special=True)

    def count_tokens(self, prompt: str) -> int:
        return len(self.tokens(prompt))

    def count_answer_tokens(self, text: str) -> int:
        """Tokens of answer text alone: no BOS; a special token's text (as the model wrote it) is one token."""
        return len(self.decoder.tokenize(text.encode(), add_bos=False, special=True))

    def _prefill(self, tokens: list[int]) -> int:
        """Evaluate the prompt (minus what the cache holds), leave its KV in the decoder, return the first token."""
        held = self._reusable(tokens)
        self.prefiller.n_tokens = held  # eval() drops the cache beyond n_tokens
        self.prefiller.eval(tokens[held:])
        first = int(np.argmax(last_logits(self.prefiller)))
        if self.prefiller is not self.decoder:
            move_kv_cache(self.prefiller, self.decoder, tokens)
        return first

    def pieces(self, prompt: str, max_tokens: int) -> Generator[str, None, Finish]:
        tokens = self.tokens(prompt)
        if len(tokens) + max_tokens > self.config.n_ctx:
            raise GenerationError(
                f"prompt of {len(tokens)} tokens + {max_tokens} new tokens exceeds n_ctx={self.config.n_ctx}: "
                "pass fewer or shorter sources"
            )
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        token, produced = self._prefill(tokens), 0
        while token not in self.end_tokens:
            if text := decoder.decode(self.decoder.detokenize([token])):
                yield text
            produced += 1
            if produced >= max_tokens:
                break
            self.decoder.eval([token])  # greedy: the argmax of each step's logits
            token = int(np.argmax(last_logits(self.decoder)))
        if tail := decoder.decode(b"", final=True):
            yield tail
        return Finish(produced, "length" if produced >= max_tokens else "stop")
