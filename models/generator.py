"""One Generator interface over the answer-model backends: greedy, streaming, stop sequences.

Backends only turn a rendered prompt into text pieces until end of turn; stop sequences, the token
limit, locking and error translation live here once.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator, Sequence
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from core.settings import DEFAULT_CACHE_DIR
from models.errors import GenerationError, ModelError
from models.prompts import render_chatml

BACKENDS = ("llamacpp", "transformers")


class Backend(Protocol):
    def pieces(self, prompt: str, max_tokens: int) -> Iterator[str]:
        """Greedy text pieces, one per token, ending at end of turn or after max_tokens tokens."""
        ...

    def count_tokens(self, prompt: str) -> int:
        """Tokens the rendered prompt takes in this backend's tokenizer."""
        ...


def apply_stops(pieces: Iterable[str], stop: Sequence[str]) -> Iterator[str]:
    """Pass text through until a stop sequence appears; never yield a partial stop sequence."""
    stop = [s for s in stop if s]
    buf = ""
    for piece in pieces:
        buf += piece
        hits = [i for i in (buf.find(s) for s in stop) if i >= 0]
        if hits:
            if min(hits):
                yield buf[: min(hits)]
            return
        # hold back the longest tail that could still grow into a stop sequence
        hold = max((k for s in stop for k in range(1, len(s)) if buf.endswith(s[:k])), default=0)
        if len(buf) > hold:
            yield buf[: len(buf) - hold]
            buf = buf[len(buf) - hold :]
    if buf:
        yield buf


class Generator:
    """What the service holds: `stream(messages)` yields the answer text piece by piece."""

    def __init__(self, backend: Backend, name: str) -> None:
        self.backend = backend
        self.name = name
        self._lock = threading.Lock()  # llama.cpp contexts and KV caches are not shareable

    def stream(
        self, messages: Sequence[dict[str, str]], *, max_tokens: int = 160, stop: Sequence[str] = ()
    ) -> Iterator[str]:
        if max_tokens < 1:
            raise GenerationError(f"max_tokens must be at least 1, got {max_tokens}")
        prompt = render_chatml(messages)
        with self._lock:
            try:
                yield from apply_stops(self.backend.pieces(prompt, max_tokens), stop)
            except ModelError:
                raise
            except Exception as exc:  # a backend's own exception types stop here
                raise GenerationError(f"{self.name} failed while generating: {exc}") from exc

    def count_tokens(self, messages: Sequence[dict[str, str]]) -> int:
        """Prompt length in tokens, as this model will see it (sizes prompts for n_ctx and benchmarks)."""
        return self.backend.count_tokens(render_chatml(messages))

    def generate(self, messages: Sequence[dict[str, str]], *, max_tokens: int = 160, stop: Sequence[str] = ()) -> str:
        return "".join(self.stream(messages, max_tokens=max_tokens, stop=stop))


@lru_cache(maxsize=4)
def load_generator(
    backend: str = "llamacpp",
    base_model: str = "smollm2-135m-instruct",
    adapter: str | None = "default",
    threads: int | None = None,
    cache_dir: Path = DEFAULT_CACHE_DIR,
) -> Generator:
    """Load once per process: llama.cpp over the quantized GGUF, or transformers (4-bit on CUDA)."""
    from models.adapters import resolve_adapter

    adapter_dir = resolve_adapter(adapter, base_model)
    label = f"{backend}:{base_model}" + (f"+{adapter_dir.name}" if adapter_dir else "")
    try:
        if backend == "llamacpp":
            from models.llamacpp_backend import LlamaCppBackend, LlamaCppConfig

            config = LlamaCppConfig(cache_dir=cache_dir)
            return Generator(LlamaCppBackend(base_model, adapter_dir, threads=threads, config=config), label)
        if backend == "transformers":
            from models.transformers_backend import TransformersBackend

            return Generator(TransformersBackend(base_model, adapter_dir, threads=threads, cache_dir=cache_dir), label)
    except ModelError:
        raise
    except Exception as exc:
        raise GenerationError(f"could not load {label}: {exc}") from exc
    raise GenerationError(f"unknown generator backend {backend!r}; choose one of {BACKENDS}")
