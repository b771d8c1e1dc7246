"""One Generator interface over the answer-model backends: greedy, streaming, stop sequences.

Backends only turn a rendered prompt into text pieces until end of turn; stop sequences, the token
limit, the one worker that owns the model, and error translation live here once.
"""

from __future__ import annotations

import queue
import threading
import weakref
from collections.abc import Generator as PyGenerator
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from core.settings import DEFAULT_CACHE_DIR, OpenAISettings
from models.errors import GenerationError, ModelError
from models.prompts import render_chatml

BACKENDS = ("llamacpp", "transformers", "openai")


@dataclass
class Finish:
    """How a generation ended: the answer's tokens and why it stopped: "length" at max_tokens, "stop" at its end
    of turn, a stop sequence, or when its consumer left. The tokens are the backend's count of what the model
    generated (a piece of text may hold several, or a token none: a character split over tokens), or, when a stop
    sequence cut the answer, the tokens the answer's text holds up to the cut (`Backend.count_answer_tokens`)."""

    tokens: int = 0
    reason: str = "stop"


class Backend(Protocol):
    def pieces(self, prompt: str, max_tokens: int) -> PyGenerator[str, None, Finish | None]:
        """Greedy text pieces, about one per token, ending at end of turn or after max_tokens tokens; returns
        how it ended (None from a backend that cannot tell: the pieces are counted as tokens)."""
        ...

    def count_tokens(self, prompt: str) -> int:
        """Tokens the rendered prompt takes in this backend's tokenizer."""
        ...

    def count_answer_tokens(self, text: str) -> int:
        """Tokens a stretch of the model's answer takes in its tokenizer: no BOS or other token added around it
        (a stop sequence cut the answer there, so the backend's own count also holds the tokens after the cut)."""
        ...


def apply_stops(pieces: Iterable[str], stop: Sequence[str]) -> Iterator[str]:
    """Pass text through until a stop sequence appears; never yield a partial stop sequence. Each piece tests
    every prefix of every stop: callers bound their length (/v1 takes at most 64 characters a stop)."""
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


class _End:
    """Marks the end of a job's output (after its pieces, or after the error it ended with)."""


END = _End()


@dataclass
class Job:
    """One generation: the worker writes its pieces to `out`; the consumer sets `cancel` when it stops reading."""

    backend: Backend
    name: str
    prompt: str
    max_tokens: int
    out: queue.SimpleQueue[str | Exception | _End] = field(default_factory=queue.SimpleQueue)
    cancel: threading.Event = field(default_factory=threading.Event)
    finish: Finish | None = None  # the backend's, written by the worker before END
    read: int = 0  # pieces the consumer has read
    ended: bool = False  # the consumer read END: the backend ran to its own end (or failed)

    def run(self) -> None:
        """Generate until end of turn, max_tokens or cancel; a failure goes to the consumer, never raised here."""
        try:
            if self.cancel.is_set():  # the consumer left while the job was queued
                return
            pieces = iter(self.backend.pieces(self.prompt, self.max_tokens))
            try:
                while not self.cancel.is_set():
                    try:
                        self.out.put(next(pieces))
                    except StopIteration as end:
                        self.finish = end.value if isinstance(end.value, Finish) else None
                        break
            finally:
                if close := getattr(pieces, "close", None):
                    close()
        except ModelError as exc:
            self.out.put(exc)
        except Exception as exc:  # a backend's own exception types stop here
            error = GenerationError(f"{self.name} failed while generating: {exc}")
            error.__cause__ = exc
            self.out.put(error)
        finally:
            self.out.put(END)  # even a BaseException must not leave the consumer waiting

    def results(self) -> Iterator[str]:
        """The consumer's side: pieces as the worker writes them, then the job's error if it had one."""
        while not isinstance(item := self.out.get(), _End):
            if isinstance(item, Exception):
                raise item
            self.read += 1
            yield item
        self.ended = True

    def ending(self, answer: str) -> Finish:
        """How the generation ended for a consumer who got the text `answer`: the backend's count and reason when
        it read to the end; when a stop sequence cut it first, "stop" and the tokens `answer` holds in the model's
        tokenizer (the pieces read were not those: they held the stop too, and a piece is not a token)."""
        if not self.ended:
            return Finish(self.backend.count_answer_tokens(answer), "stop")
        return self.finish or Finish(self.read, "length" if self.read >= self.max_tokens else "stop")


class Stream(Iterator[str]):
    """One generation's text, piece by piece, and then how it ended: `finish`, once the pieces ran out.

    An iterator like any other (`next`, `close`; closing or dropping it cancels the generation at the next
    token). A stream left before its end has no finish: nothing ended it but its reader."""

    def __init__(self, pieces: PyGenerator[str, None, Finish]) -> None:
        self._pieces = pieces
        self._finish: Finish | None = None

    def __next__(self) -> str:
        try:
            return next(self._pieces)
        except StopIteration as end:
            self._finish = self._finish or end.value  # an exhausted generator returns None when asked again
            raise

    def close(self) -> None:
        self._pieces.close()

    @property
    def finish(self) -> Finish:
        """How the generation ended (see `Finish`); an error to ask before the last piece was read."""
        if self._finish is None:
            raise RuntimeError("the stream has not ended: read its pieces to the end before asking how it ended")
        return self._finish


def work(jobs: queue.SimpleQueue[Job | None]) -> None:
    """The worker loop: one job at a time (llama.cpp contexts and KV caches are not shareable), until None."""
    while (job := jobs.get()) is not None:
        job.run()
        del job  # hold no backend while idle, so a collected Generator's model is freed


class Generator:
    """What the service holds: `stream(messages)` gives the answer text piece by piece, then how it ended.

    One daemon thread per Generator owns the model and runs jobs in order; a consumer only reads its
    job's queue, so no lock leaves this module and a consumer that stops reading costs no more than
    the rest of its max_tokens (closing or dropping its stream cancels the job at the next token).
    """

    def __init__(self, backend: Backend, name: str) -> None:
        self.backend = backend
        self.name = name
        self._jobs: queue.SimpleQueue[Job | None] = queue.SimpleQueue()
        self._worker: threading.Thread | None = None
        self._start = threading.Lock()  # guards only the worker's lazy start
        weakref.finalize(self, self._jobs.put, None)  # a collected Generator stops its worker

    def submit(self, prompt: str, max_tokens: int) -> Job:
        """Queue one generation for the worker (started on first use, so an unused Generator has no thread)."""
        with self._start:
            if self._worker is None or not self._worker.is_alive():  # first use, or a worker killed by a BaseException
                self._worker = threading.Thread(
                    target=work, args=(self._jobs,), name=f"generator {self.name}", daemon=True
                )
                self._worker.start()
        job = Job(self.backend, self.name, prompt, max_tokens)
        self._jobs.put(job)
        return job

    def stream(self, messages: Sequence[dict[str, str]], *, max_tokens: int = 160, stop: Sequence[str] = ()) -> Stream:
        """The answer's text, piece by piece (pieces are not tokens: a held-back stop prefix joins several);
        the stream's `finish` says how it ended once all of it was read. Generation starts at the first piece."""
        if max_tokens < 1:
            raise GenerationError(f"max_tokens must be at least 1, got {max_tokens}")
        return Stream(self._generate(render_chatml(messages), max_tokens, stop))

    def _generate(self, prompt: str, max_tokens: int, stop: Sequence[str]) -> PyGenerator[str, None, Finish]:
        job = self.submit(prompt, max_tokens)
        said: list[str] = []
        try:
            for text in apply_stops(job.results(), stop):
                said.append(text)
                yield text
        finally:  # done, a stop sequence, closed, or collected: the worker moves on at the next token
            job.cancel.set()
        return job.ending("".join(said))

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
    openai: OpenAISettings | None = None,
) -> Generator:
    """Load once per process: llama.cpp over the quantized GGUF, transformers (4-bit on CUDA), or a client of an
    OpenAI-compatible server (`openai`: which server; it serves its own weights, so no adapter is applied here)."""
    from models.adapters import resolve_adapter

    if backend == "openai":
        from models.openai_backend import OpenAIBackend

        config = openai or OpenAISettings()
        return Generator(OpenAIBackend(config), f"openai:{config.model}@{config.base_url}")

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
