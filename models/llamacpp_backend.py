"""llama.cpp backend: the shipped quantized GGUF plus the LoRA adapter converted to GGUF.

The fixed system prompt is evaluated once at load; llama-cpp-python reuses the longest common token
prefix of consecutive prompts, so each question only pays for its sources and question.
"""

from __future__ import annotations

import codecs
import os
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from models.errors import GenerationError
from models.prompts import END_OF_TURN, fixed_prefix
from models.registry import get_model, gguf_path


@dataclass
class LlamaCppConfig:
    n_ctx: int = field(default=2048, metadata={"help": "Context window in tokens (prompt + answer)."})
    n_batch: int = field(default=512, metadata={"help": "Prompt tokens evaluated per llama_decode call."})
    n_ubatch: int = field(default=512, metadata={"help": "Physical micro-batch; equal to n_batch is fastest here."})
    lora_scale: float = field(default=1.0, metadata={"help": "Multiplier on the adapter's alpha/r scaling."})
    flash_attn: bool = field(
        default=True, metadata={"help": "llama.cpp flash attention: ~25% faster prompts here, ~4% slower decode."}
    )
    quant: str = field(
        default="q4_1",
        metadata={
            "help": "'q4_1' serves the shipped file; 'q8_0' / 'q4_0' requantize it once into the cache "
            "(their matmuls have fast batched CPU kernels, so prompts evaluate faster)."
        },
    )

    def __post_init__(self) -> None:
        if self.n_ctx < 256 or self.n_batch < 1 or not 1 <= self.n_ubatch <= self.n_batch:
            raise ValueError(f"bad llama.cpp sizes: n_ctx={self.n_ctx} n_batch={self.n_batch} n_ubatch={self.n_ubatch}")
        if self.quant not in QUANT_TYPES:
            raise ValueError(f"quant must be one of {sorted(QUANT_TYPES)}, got {self.quant!r}")


QUANT_TYPES = {"q4_1": None, "q8_0": 7, "q4_0": 2}  # llama.cpp LLAMA_FTYPE_MOSTLY_* values


def requantized(base: Path, quant: str) -> Path:
    """The shipped GGUF requantized to `quant`, made once into the cache (the shipped file is untouched)."""
    if QUANT_TYPES[quant] is None:
        return base
    import llama_cpp

    from models.transformers_backend import cache_dir

    out = cache_dir() / "gguf" / f"{base.stem}.{quant}.gguf"
    if not out.is_file():
        out.parent.mkdir(parents=True, exist_ok=True)
        params = llama_cpp.llama_model_quantize_default_params()
        params.ftype = QUANT_TYPES[quant]
        params.allow_requantize = True
        tmp = out.with_suffix(".tmp")
        if llama_cpp.llama_model_quantize(str(base).encode(), str(tmp).encode(), params) != 0:
            raise GenerationError(f"llama.cpp could not requantize {base} to {quant}")
        tmp.replace(out)
    return out


class LlamaCppBackend:
    def __init__(
        self,
        base_model: str,
        adapter_dir: Path | None,
        *,
        threads: int | None = None,
        config: LlamaCppConfig | None = None,
    ) -> None:
        from llama_cpp import Llama

        from models.adapters import gguf_adapter

        self.config = config or LlamaCppConfig()
        base = gguf_path(base_model)
        lora = gguf_adapter(adapter_dir, base) if adapter_dir is not None else None
        base = requantized(base, self.config.quant)
        threads = threads or os.cpu_count() or 1
        self.name = f"llamacpp:{get_model(base_model).key}:{self.config.quant}"
        self.llm = Llama(
            model_path=str(base),
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
        end = self.llm.tokenize(END_OF_TURN.encode(), add_bos=False, special=True)
        self.end_tokens = {self.llm.token_eos(), *(end if len(end) == 1 else [])}
        self.warm_prefix()

    def warm_prefix(self) -> None:
        """Evaluate the fixed system prompt so the first question reuses its KV cache."""
        self.llm.reset()
        self.llm.eval(self._tokens(fixed_prefix()))

    def _tokens(self, text: str) -> list[int]:
        return self.llm.tokenize(text.encode(), add_bos=True, special=True)

    def pieces(self, prompt: str, max_tokens: int) -> Iterator[str]:
        tokens = self._tokens(prompt)
        if len(tokens) + max_tokens > self.config.n_ctx:
            raise GenerationError(
                f"prompt of {len(tokens)} tokens + {max_tokens} new tokens exceeds n_ctx={self.config.n_ctx}: "
                "pass fewer or shorter sources"
            )
        decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        # reset=True lets llama-cpp-python keep the longest common prefix with the previous prompt
        greedy = self.llm.generate(tokens, top_k=1, top_p=1.0, min_p=0.0, temp=0.0, repeat_penalty=1.0)
        for produced, token in enumerate(greedy, start=1):
            if token in self.end_tokens:
                break
            text = decoder.decode(self.llm.detokenize([token]))
            if text:
                yield text
            if produced >= max_tokens:
                break
        if tail := decoder.decode(b"", final=True):
            yield tail
